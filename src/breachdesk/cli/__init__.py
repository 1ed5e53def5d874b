"""The command line: one module per verb group; parsing and printing only.

The verb modules import their services inside the command functions: building the command
tree for ``--help`` or a usage error must not load Ibis, pyarrow or SQLAlchemy. What a
command's signature names (option types, defaults) comes from light modules only.
"""
