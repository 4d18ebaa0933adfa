"""Schemathesis checks of the Forst sidecar (loaded with SCHEMATHESIS_HOOKS=forst_schemathesis).

A sidecar answers 5xx only when the function failed: an error it returned (returned_error) or a panic. Any other 5xx
(invalid_result, or a crash of the server itself) is a failure of this run, even though the document declares it.
"""
import schemathesis


@schemathesis.check
def only_declared_server_errors(ctx, response, case):
    if response.status_code >= 500:
        try:
            code = response.json().get("error", {}).get("code")
        except Exception:  # not the error envelope at all
            code = None
        if code not in ("returned_error", "panic"):
            raise AssertionError(
                f"HTTP {response.status_code} with code {code!r}: a sidecar answers 5xx only for returned_error and panic"
            )
