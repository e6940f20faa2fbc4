"""The version, in a module of its own so that any layer can name it without importing the package
face (``__init__`` lazily imports ``api``, the top of the pipeline). pyproject reads it too."""
__version__ = "0.1.0"
