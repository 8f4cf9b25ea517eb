"""The advisor commands beside ``check`` (the AUDIT): compare, estimate, advise (OPTIMIZE),
diagnose and data. Each answers from rows of data/measurements.csv and keys of
data/constants.csv, and says plainly where the data end."""
