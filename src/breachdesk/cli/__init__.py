"""The command line: one module per verb group; parsing and printing only."""
