"""Report files: charts (PNG) and exports (Excel, CSV), rendered from plain data."""
