"""messages-codegen: turns the YAML description of the Messages API into a Python package.

The pipeline, one module per stage: load → spec_model → validate → build_ir → render → layout →
write (chained in pipeline.py; cli.py is the command line).
"""

__version__ = "0.1.0"
