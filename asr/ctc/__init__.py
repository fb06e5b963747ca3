"""CTC decoding in numpy, torch-free: greedy and prefix beam search, word n-gram LMs, hotwords,
and `DecodingOptions`, the one place that sets how the Python API and the commands decode."""
