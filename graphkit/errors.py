"""Exceptions for user mistakes.

The CLI turns every :class:`GraphkitError` into a one-line message and a non-zero
exit code; anything else is a bug and keeps its traceback.
"""


class GraphkitError(Exception):
    """A problem the user can fix (bad config, unknown name, corrupt file...)."""


class ConfigError(GraphkitError):
    """A config key, type or value is invalid."""


class InvalidInputError(ConfigError, ValueError):
    """A bad value passed to a library function or estimator; a ``ValueError``, as
    scikit-learn users catch."""


class InvalidInputTypeError(ConfigError, TypeError):
    """An argument of a type a library function or estimator does not read; a ``TypeError``."""


class UnknownNameError(GraphkitError, KeyError):
    """A registry lookup failed."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class DatasetError(GraphkitError):
    """A dataset cannot be found, fetched or processed."""


class ChecksumError(DatasetError):
    """A downloaded or mirrored file does not have the expected sha256."""


class TrainingError(GraphkitError):
    """Training cannot continue (non-finite loss, unusable run directory...)."""


class GraphkitWarning(UserWarning):
    """Something the user should know that does not stop the command (the CLI prints it
    as one ``graphkit: warning: ...`` line)."""


class PluginError(GraphkitError):
    """A plugin cannot be imported, or differs from the one a run recorded."""
