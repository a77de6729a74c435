"""Reading what people type: numbers, reporting periods and metric updates."""
