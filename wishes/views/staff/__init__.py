"""社区工作台: the staff workbench at /staff/, one module per task."""
