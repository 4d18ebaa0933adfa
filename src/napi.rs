//! The napi boundary: argument conversion and error mapping only.
