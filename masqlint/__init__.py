"""masqlint: lint and check policy for the ip-masq-agent ConfigMap."""

__version__ = "0.1.0"

__all__ = ["__version__", "lint_text", "lint_paths", "render", "trace"]


def __getattr__(name):
    # The public API is imported lazily so that `masqlint --version` and files
    # without agent configs never pay for jsonschema or netaddr.
    if name in ("lint_text", "lint_paths"):
        from . import api

        return getattr(api, name)
    if name in ("render", "trace"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
