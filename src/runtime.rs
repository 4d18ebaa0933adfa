//! The runtime: everything between a compiled project and a JS call.
