"""masqlint: lint and check policy for the ip-masq-agent ConfigMap."""

TYPE_CHECKING = False  # typing's own flag, without importing typing on every start

__version__ = "0.1.0"

__all__ = ["__version__", "lint_text", "lint_paths", "render", "trace"]

if TYPE_CHECKING:  # type checkers see the real signatures; at run time they load on first use
    from masqlint.api import lint_paths, lint_text, render, trace


def __getattr__(name: str):
    # The public API is imported lazily so that `masqlint --version` and files
    # without agent configs never pay for jsonschema or netaddr.
    if name in ("lint_text", "lint_paths", "render", "trace"):
        from masqlint import api  # noqa: PLC0415 - lazy: the public API loads on first use

        return getattr(api, name)
    raise AttributeError(f"module 'masqlint' has no attribute {name!r}")
