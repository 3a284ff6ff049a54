"""Settings, the model table and the places the workbench reads and writes."""
