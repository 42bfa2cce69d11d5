package dev.vectorgrad.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Renders a float32, float64, int64 or bool tensor the way PyTorch's {@code str(tensor)} does with
 * the default print options (precision 4, threshold 1000, edgeitems 3, linewidth 80, automatic
 * scientific notation) and the default dtype float32.
 *
 * <p>The logic mirrors {@code torch/_tensor_str.py} of PyTorch 1.13: one element formatter is chosen
 * for the whole tensor (for floats integer, fixed or scientific mode; for int64 and bool Python's
 * {@code str} of the value), all elements are right-aligned to a common width, nested brackets are
 * laid out with PyTorch's indentation and blank lines, rows are wrapped at the line width, large
 * tensors are summarised with {@code ...}, and suffixes such as {@code dtype=torch.float64} are
 * appended with PyTorch's line-breaking rule.
 */
public final class TensorFormatter {

    /** Element access in row-major flat order; values of a float32 tensor are given widened to double exactly. */
    @FunctionalInterface
    public interface Values {
        double get(long flatIndex);
    }

    /** Element access in row-major flat order for integer and bool tensors (bool: 0 or 1). */
    @FunctionalInterface
    public interface LongValues {
        long get(long flatIndex);
    }

    // PyTorch's default print options.
    private static final int PRECISION = 4;
    private static final long THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;

    private static final String PREFIX = "tensor(";
    /** Marks the elided middle of a summarised dimension in an index list. */
    private static final long ELLIPSIS = -1;

    private TensorFormatter() {}

    /**
     * PyTorch's {@code str(tensor)} for a float32 or float64 tensor, mirroring
     * {@code torch/_tensor_str.py} (PyTorch 1.13) with the default print options.
     *
     * <p>When the tensor has more than 1000 elements it is summarised, and only the elements that are
     * printed (the first and last 3 along each dimension) are read from {@code values}; as in PyTorch,
     * only those elements decide the number format and the column width.
     *
     * @param values the elements in row-major flat order (float32 values widened exactly to double)
     * @param shape the tensor's shape (empty array = 0-dim)
     * @param float64 whether the dtype is float64 (then {@code dtype=torch.float64} is added)
     * @param suffixes further suffix items in order, e.g. {@code "grad_fn=<MeanBackward0>"} or
     *     {@code "requires_grad=True"} (they come after dtype, as PyTorch orders them)
     * @return the text PyTorch prints for the tensor
     */
    public static String format(Values values, long[] shape, boolean float64, List<String> suffixes) {
        return render(shape, float64 ? Dtype.FLOAT64 : Dtype.FLOAT32, suffixes, offsets -> {
            double[] shown = new double[offsets.length];
            for (int i = 0; i < offsets.length; i++) shown[i] = values.get(offsets[i]);
            // PyTorch builds the formatter from the summarised data, i.e. exactly the printed elements.
            ElementFormat format = ElementFormat.of(shown);
            String[] cells = new String[shown.length];
            for (int i = 0; i < shown.length; i++) cells[i] = format.format(shown[i]);
            return new Cells(cells, format.width());
        });
    }

    /**
     * PyTorch's {@code str(tensor)} for an int64 tensor: {@code tensor([  -1,   20, -300])}. Each
     * element prints as its decimal value, right-aligned to the widest printed element; the dtype is
     * shown only when the tensor is empty. Summarisation and the reading of {@code values} are as in
     * {@link #format}.
     *
     * @param values the elements in row-major flat order
     * @param shape the tensor's shape (empty array = 0-dim)
     * @param suffixes further suffix items in order, after {@code size=} and {@code dtype=}
     * @return the text PyTorch prints for the tensor
     */
    public static String formatInt64(LongValues values, long[] shape, List<String> suffixes) {
        return render(shape, Dtype.INT64, suffixes, offsets -> {
            String[] texts = new String[offsets.length];
            for (int i = 0; i < offsets.length; i++) texts[i] = Long.toString(values.get(offsets[i]));
            return Cells.rightAligned(texts);
        });
    }

    /**
     * PyTorch's {@code str(tensor)} for a bool tensor: {@code tensor([ True, False])}. Elements print
     * as {@code True} / {@code False}, right-aligned to the widest printed element; the dtype is shown
     * only when the tensor is empty. Summarisation and the reading of {@code values} are as in
     * {@link #format}.
     *
     * @param values the elements in row-major flat order, each 0 (False) or 1 (True)
     * @param shape the tensor's shape (empty array = 0-dim)
     * @param suffixes further suffix items in order, after {@code size=} and {@code dtype=}
     * @return the text PyTorch prints for the tensor
     * @throws IllegalArgumentException if a printed element is neither 0 nor 1
     */
    public static String formatBool(LongValues values, long[] shape, List<String> suffixes) {
        return render(shape, Dtype.BOOL, suffixes, offsets -> {
            String[] texts = new String[offsets.length];
            for (int i = 0; i < offsets.length; i++) {
                long v = values.get(offsets[i]);
                if (v != 0 && v != 1) throw new IllegalArgumentException("bool element " + offsets[i] + " is " + v);
                texts[i] = v == 1 ? "True" : "False";
            }
            return Cells.rightAligned(texts);
        });
    }

    /** The dtypes we print, with PyTorch's rule for showing {@code dtype=} (default dtype float32). */
    private enum Dtype {
        FLOAT32("torch.float32", false, false),
        FLOAT64("torch.float64", true, true),
        // int64 and bool count as default dtypes, except in an empty tensor, which has no elements
        // to tell the dtype by.
        INT64("torch.int64", true, false),
        BOOL("torch.bool", true, false);

        final String suffix;
        final boolean shownWhenEmpty;
        final boolean shownWhenNonEmpty;

        Dtype(String name, boolean shownWhenEmpty, boolean shownWhenNonEmpty) {
            this.suffix = "dtype=" + name;
            this.shownWhenEmpty = shownWhenEmpty;
            this.shownWhenNonEmpty = shownWhenNonEmpty;
        }
    }

    /** The printed elements as text, in printing order, each already padded to {@code width}. */
    private record Cells(String[] texts, int width) {

        /** {@code _Formatter} for non-float dtypes: width of the widest text (at least 1), padded on the left. */
        static Cells rightAligned(String[] texts) {
            int width = 1;
            for (String text : texts) width = Math.max(width, text.length());
            String[] padded = new String[texts.length];
            for (int i = 0; i < texts.length; i++) padded[i] = " ".repeat(width - texts[i].length()) + texts[i];
            return new Cells(padded, width);
        }
    }

    /**
     * The shared part of {@code _str_intern}: checks the shape, lays out the body from the cells that
     * {@code cellMaker} makes for the printed elements' flat offsets (in printing order), and adds the
     * size, dtype and caller's suffixes.
     */
    private static String render(long[] shape, Dtype dtype, List<String> suffixes, Function<long[], Cells> cellMaker) {
        long numel = 1;
        for (long size : shape) {
            if (size < 0) throw new IllegalArgumentException("negative dimension in shape");
            numel = Math.multiplyExact(numel, size);
        }
        List<String> allSuffixes = new ArrayList<>();
        String body;
        if (numel == 0) {
            // An empty tensor shows its shape unless it is (0,), like NumPy.
            if (shape.length != 1) allSuffixes.add("size=" + pythonTuple(shape));
            if (dtype.shownWhenEmpty) allSuffixes.add(dtype.suffix);
            body = "[]";
        } else {
            if (dtype.shownWhenNonEmpty) allSuffixes.add(dtype.suffix);
            Layout layout = new Layout(shape, numel > THRESHOLD);
            body = layout.render(cellMaker.apply(layout.printedOffsets()));
        }
        allSuffixes.addAll(suffixes);
        return addSuffixes(PREFIX + body, allSuffixes, PREFIX.length());
    }

    /**
     * Appends {@code ", suffix"} items and the closing parenthesis; an item goes onto a new line,
     * indented under the opening bracket, when it would pass the line width. PyTorch's estimate of the
     * last line's length counts two characters more than the line has, and we keep that quirk.
     */
    private static String addSuffixes(String text, List<String> suffixes, int indent) {
        StringBuilder out = new StringBuilder(text);
        int lastLineLength = text.length() - text.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
                out.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLength = indent + suffix.length();
            } else {
                out.append(", ").append(suffix);
                lastLineLength += suffix.length() + 2;
            }
        }
        return out.append(')').toString();
    }

    /** Python's str(tuple): {@code (0, 3)}, and {@code (5,)} for one element. */
    private static String pythonTuple(long[] shape) {
        StringJoiner joiner = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (long size : shape) joiner.add(Long.toString(size));
        return joiner.toString();
    }

    /** The bracketed body of a non-empty tensor ({@code _tensor_str} and its helpers), for any dtype. */
    private static final class Layout {
        private final long[] shape;
        private final long[] strides;
        private final boolean summarize;
        private Cells cells;
        private int next;

        Layout(long[] shape, boolean summarize) {
            this.shape = shape;
            this.summarize = summarize;
            this.strides = new long[shape.length];
            long stride = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= shape[d];
            }
        }

        /**
         * The flat offsets of the printed elements in printing order: all elements, or for a summarised
         * tensor the first and last 3 along each dimension ({@code get_summarized_data}).
         */
        long[] printedOffsets() {
            List<Long> collected = new ArrayList<>();
            collect(0, 0, collected);
            return collected.stream().mapToLong(Long::longValue).toArray();
        }

        /** Lays out {@code cells}, the texts of the elements at {@link #printedOffsets()}. */
        String render(Cells cells) {
            this.cells = cells;
            next = 0;
            String body = shape.length == 0 ? cells.texts()[next++] : renderDim(0, PREFIX.length());
            if (next != cells.texts().length) throw new IllegalStateException("cells do not match the printed elements");
            return body;
        }

        /** Indices printed along a dimension: all, or the edge items around an {@link #ELLIPSIS}. */
        private long[] printedIndices(long size) {
            if (summarize && size > 2L * EDGE_ITEMS) {
                long[] indices = new long[2 * EDGE_ITEMS + 1];
                for (int i = 0; i < EDGE_ITEMS; i++) {
                    indices[i] = i;
                    indices[EDGE_ITEMS + 1 + i] = size - EDGE_ITEMS + i;
                }
                indices[EDGE_ITEMS] = ELLIPSIS;
                return indices;
            }
            long[] indices = new long[Math.toIntExact(size)];
            for (int i = 0; i < indices.length; i++) indices[i] = i;
            return indices;
        }

        private void collect(int dim, long offset, List<Long> out) {
            if (dim == shape.length) {
                out.add(offset);
                return;
            }
            for (long i : printedIndices(shape[dim])) {
                if (i != ELLIPSIS) collect(dim + 1, offset + i * strides[dim], out);
            }
        }

        /** Renders dimensions {@code dim..} of the tensor, whose opening bracket sits at column {@code indent}. */
        private String renderDim(int dim, int indent) {
            long[] indices = printedIndices(shape[dim]);
            if (dim == shape.length - 1) return renderVector(indices, indent);
            List<String> slices = new ArrayList<>();
            for (long i : indices) slices.add(i == ELLIPSIS ? "..." : renderDim(dim + 1, indent + 1));
            // Deeper blocks are separated by more blank lines: one newline per remaining inner dimension.
            String separator = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
            return "[" + String.join(separator, slices) + "]";
        }

        private String renderVector(long[] indices, int indent) {
            // Each element takes its width plus ", "; at least one element per line.
            int elementLength = cells.width() + 2;
            int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, elementLength));
            List<String> items = new ArrayList<>();
            for (long i : indices) items.add(i == ELLIPSIS ? " ..." : cells.texts()[next++]);
            List<String> lines = new ArrayList<>();
            for (int start = 0; start < items.size(); start += perLine) {
                lines.add(String.join(", ", items.subList(start, Math.min(items.size(), start + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }
    }

    /**
     * The element formatter PyTorch picks for a whole tensor ({@code _Formatter}): integer mode when
     * every finite value is whole, scientific notation when the magnitudes span too much, and the
     * width of the widest finite non-zero value (zeros and non-finite values do not count).
     */
    private record ElementFormat(boolean intMode, boolean sciMode, int width) {

        static ElementFormat of(double[] values) {
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            boolean allWhole = true;
            int count = 0;
            for (double v : values) {
                if (!Double.isFinite(v) || v == 0) continue;
                count++;
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
                allWhole &= v == Math.ceil(v);
            }
            if (count == 0) return new ElementFormat(true, false, 1);
            boolean wideRange = max / min > 1000.0 || max > 1.0e8;
            // Small fractions also switch to scientific notation; small whole numbers cannot exist.
            boolean sci = allWhole ? wideRange : wideRange || min < 1.0e-4;
            int width = 1;
            for (double v : values) {
                if (!Double.isFinite(v) || v == 0) continue;
                int length;
                if (sci) length = scientific(v).length();
                else if (allWhole) length = fixed(v, 0).length() + 1; // room for the trailing "."
                else length = fixed(v, PRECISION).length();
                width = Math.max(width, length);
            }
            return new ElementFormat(allWhole, sci, width);
        }

        String format(double v) {
            String text;
            if (sciMode) text = scientific(v);
            else if (intMode) text = Double.isFinite(v) ? fixed(v, 0) + "." : fixed(v, 0);
            else text = fixed(v, PRECISION);
            return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
        }

        /** Python's {@code '{:.Nf}'.format(v)}: correctly rounded (half-even on the exact binary value). */
        static String fixed(double v, int digits) {
            if (!Double.isFinite(v)) return nonFinite(v);
            String magnitude = new BigDecimal(Math.abs(v)).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
            return negative(v) ? "-" + magnitude : magnitude;
        }

        /** Python's {@code '{:.4e}'.format(v)}: mantissa d.dddd, exponent with sign and at least two digits. */
        static String scientific(double v) {
            if (!Double.isFinite(v)) return nonFinite(v);
            String mantissa;
            int exponent;
            if (v == 0) {
                mantissa = BigDecimal.ZERO.setScale(PRECISION).toPlainString();
                exponent = 0;
            } else {
                // Rounding to PRECISION + 1 significant digits may carry into a new leading digit
                // (9.99996 -> 10.000); the exponent is read off the rounded value.
                BigDecimal rounded = new BigDecimal(Math.abs(v)).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
                exponent = rounded.precision() - rounded.scale() - 1;
                mantissa = rounded.movePointLeft(exponent).setScale(PRECISION, RoundingMode.UNNECESSARY).toPlainString();
            }
            String exponentDigits = Integer.toString(Math.abs(exponent));
            return (negative(v) ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + (exponentDigits.length() < 2 ? "0" : "") + exponentDigits;
        }

        /** Sign bit set: Python prints -0.0 as "-0", "-0.0000" or "-0.0000e+00". */
        private static boolean negative(double v) {
            return Double.doubleToRawLongBits(v) < 0;
        }

        /** Python spells these "nan", "inf" and "-inf" (never "-nan"). */
        private static String nonFinite(double v) {
            return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }
    }
}
