/**
 * PyTorch's tensor printing ({@code torch/_tensor_str.py}) reimplemented: precision 4, the switch to
 * scientific notation, line width 80, summarisation above 1000 elements, and the suffixes.
 */
package dev.vectorgrad.format;
