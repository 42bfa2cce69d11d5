package dev.vectorgrad;

import dev.vectorgrad.testsupport.FiniteDifferences;
import dev.vectorgrad.testsupport.NoGrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradients of issue 6's view, shape, copy, indexing and in-place-through-view ops against central
 * finite differences in float64, as {@link GradCheckTest} does for round 1 (same eps, same
 * tolerance): backward must leave in each leaf's {@code grad()} the gradient of
 * {@code L = sum(f(x) * g)} for a random upstream {@code g}, estimated element by element as
 * {@code (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)}, to within {@code 1e-6 * max(1, |numeric|)}.
 *
 * <p>Every check runs on contiguous inputs and again with its inputs laid out in memory in each of
 * the {@link Layout non-contiguous ways} a PyTorch user meets: transposed, sliced with a step (so
 * also at an offset), expanded (stride 0), contiguous but at an offset (sliced from the end), and
 * a leaf that is itself a strided view. Except for the last, the non-contiguous input is made by a
 * view op from a contiguous leaf, so finite differences perturb the leaf and the gradient also
 * flows through that view's backward. The round-1 ops (add, sub, mul, div, neg, sum, mean, sums
 * over dims) are rechecked here on those layouts.
 */
class ViewGradCheckTest {
    private static final long END = Long.MAX_VALUE;

    /** How an input's random values are drawn: any normal value, or one safe as a denominator. */
    private enum Values { NORMAL, AWAY_FROM_ZERO }

    /**
     * How an input of a given logical shape S is laid out in memory. Every layout but
     * {@link #STRIDED_LEAF} derives the input from a contiguous leaf by a view op.
     */
    enum Layout {
        /** The leaf itself: contiguous, offset 0. */
        CONTIGUOUS,
        /** {@code leaf.transpose(0, -1)} of a leaf with the first and last sizes swapped (needs 2+ dims). */
        TRANSPOSED,
        /** {@code leaf.slice(0, 1, end, 2)} of a leaf with {@code 2 * S[0] + 1} rows: step 2 and an offset. */
        STEPPED,
        /** {@code leaf.expand(S)} of a leaf with one row: stride 0 along dim 0. */
        EXPANDED,
        /** {@code leaf.slice(0, -S[0], end, 1)} of a leaf with two more rows: contiguous, at an offset. */
        FROM_END,
        /**
         * A leaf that requires grad and is itself non-contiguous: a transposed (or, 1-D, stepped) view of
         * storage that autograd does not track, PyTorch's {@code torch.randn(4, 3).t().requires_grad_()}.
         */
        STRIDED_LEAF;

        boolean appliesTo(long[] s) {
            int nd = s.length;
            return switch (this) {
                case CONTIGUOUS, FROM_END -> nd >= 1;
                case TRANSPOSED -> nd >= 2 && s[0] > 1 && s[nd - 1] > 1;
                case STEPPED, EXPANDED -> nd >= 1 && s[0] > 1;
                case STRIDED_LEAF -> nd == 1 ? s[0] > 1 : nd >= 2 && s[0] > 1 && s[nd - 1] > 1;
            };
        }
    }

    private static final List<Layout> NON_CONTIGUOUS =
            List.of(Layout.TRANSPOSED, Layout.STEPPED, Layout.EXPANDED, Layout.FROM_END, Layout.STRIDED_LEAF);
    private static final Set<Layout> ALL = EnumSet.allOf(Layout.class);
    /** Layouts whose elements lie row-major without gaps (only an offset): where {@code view} may merge dims. */
    private static final Set<Layout> DENSE = EnumSet.of(Layout.CONTIGUOUS, Layout.FROM_END);

    private record Input(long[] shape, Values values, Layout layout) {
        Input with(Layout l) {
            return new Input(shape, values, l);
        }

        /** The shape of the tensor that requires grad (and that finite differences perturb). */
        long[] leafShape() {
            long[] s = shape.clone();
            int last = s.length - 1;
            switch (layout) {
                case CONTIGUOUS, STRIDED_LEAF -> { }
                case TRANSPOSED -> {
                    s[0] = shape[last];
                    s[last] = shape[0];
                }
                case STEPPED -> s[0] = 2 * shape[0] + 1;
                case EXPANDED -> s[0] = 1;
                case FROM_END -> s[0] = shape[0] + 2;
            }
            return s;
        }

        int leafNumel() {
            return Math.toIntExact(Arrays.stream(leafShape()).reduce(1, Math::multiplyExact));
        }

        @Override
        public String toString() {
            return (layout == Layout.CONTIGUOUS ? "" : layout.name().toLowerCase() + " ") + Arrays.toString(shape);
        }
    }

    private static Input x(long... shape) {
        return new Input(shape, Values.NORMAL, Layout.CONTIGUOUS);
    }

    /** An input with magnitudes in [0.5, 2] and either sign: safe to divide by. */
    private static Input denominator(long... shape) {
        return new Input(shape, Values.AWAY_FROM_ZERO, Layout.CONTIGUOUS);
    }

    private record Check(String name, Function<Tensor[], Tensor> f, List<Input> inputs, Set<Layout> layouts) {}

    /** A check that runs on contiguous inputs and on every non-contiguous layout. */
    private static Check check(String name, Function<Tensor[], Tensor> f, Input... inputs) {
        return new Check(name, f, List.of(inputs), ALL);
    }

    /** A check that runs only on the given layouts (e.g. {@code view} merging dims needs dense inputs). */
    private static Check check(String name, Set<Layout> layouts, Function<Tensor[], Tensor> f, Input... inputs) {
        return new Check(name, f, List.of(inputs), layouts);
    }

    // --------------------------------------------------------------------------------------- constants

    private static Tensor longs(long[] values, long... shape) {
        return Tensor.of(values, shape);
    }

    private static Tensor mask(boolean[] values, long... shape) {
        return Tensor.of(values, shape);
    }

    private static final boolean T = true, F = false;

    private static Tensor mask34() {
        return mask(new boolean[] {T, F, F, T, F, T, T, F, F, F, T, T}, 3, 4);
    }

    // ------------------------------------------------------------------------------------------ checks

    private static List<Check> checks() {
        List<Check> c = new ArrayList<>();

        // view, reshape, flatten, unflatten
        c.add(check("a.view(3, 2, 2)", t -> t[0].view(3, 2, 2), x(3, 4)));
        c.add(check("a.view(-1, 2, 2)", t -> t[0].view(-1, 2, 2), x(3, 4)));
        c.add(check("a.view(12) (merges dims)", DENSE, t -> t[0].view(12), x(3, 4)));
        c.add(check("a.view(2, -1) (merges dims)", DENSE, t -> t[0].view(2, -1), x(3, 4)));
        c.add(check("a.reshape(3, 2, 2) (a view on every layout)", t -> t[0].reshape(3, 2, 2), x(3, 4)));
        c.add(check("a.reshape(2, 6) (a copy unless dense)", t -> t[0].reshape(2, 6), x(3, 4)));
        c.add(check("a.reshape(-1) (a copy unless dense)", t -> t[0].reshape(-1), x(3, 4)));
        c.add(check("a.flatten()", t -> t[0].flatten(), x(3, 4)));
        c.add(check("a.flatten(1, 2)", t -> t[0].flatten(1, 2), x(2, 3, 4)));
        c.add(check("a.flatten(0, 1)", t -> t[0].flatten(0, 1), x(2, 3, 4)));
        c.add(check("a.unflatten(1, 2, 2)", t -> t[0].unflatten(1, 2, 2), x(3, 4)));
        c.add(check("a.unflatten(-1, 2, -1)", t -> t[0].unflatten(-1, 2, -1), x(3, 4)));
        c.add(check("a.unflatten(0, 2, 2)", t -> t[0].unflatten(0, 2, 2), x(4, 3)));

        // transpose, t, permute, mT
        c.add(check("a.transpose(0, 2)", t -> t[0].transpose(0, 2), x(2, 3, 4)));
        c.add(check("a.transpose(-1, -2)", t -> t[0].transpose(-1, -2), x(2, 3, 4)));
        c.add(check("a.t()", t -> t[0].t(), x(3, 4)));
        c.add(check("a.t() of 1-D", t -> t[0].t(), x(5)));
        c.add(check("a.permute(2, 0, 1)", t -> t[0].permute(2, 0, 1), x(2, 3, 4)));
        c.add(check("a.permute(1, -1, 0)", t -> t[0].permute(1, -1, 0), x(2, 3, 4)));
        c.add(check("a.mT()", t -> t[0].mT(), x(2, 3, 4)));
        c.add(check("a.mT() of 2-D", t -> t[0].mT(), x(3, 4)));

        // expand, expandAs
        c.add(check("a.expand(2, 3, 4)", t -> t[0].expand(2, 3, 4), x(3, 1)));
        c.add(check("a.expand(-1, 5)", t -> t[0].expand(-1, 5), x(3, 1)));
        c.add(check("a.expand(4, 3) of 1-D", t -> t[0].expand(4, 3), x(3)));
        c.add(check("a.expandAs(zeros(2, 3, 4))", t -> t[0].expandAs(Tensor.zeros(2, 3, 4)), x(3, 1)));

        // squeeze, unsqueeze
        c.add(check("a.squeeze()", t -> t[0].squeeze(), x(3, 1, 4)));
        c.add(check("a.squeeze(1)", t -> t[0].squeeze(1), x(3, 1, 4)));
        c.add(check("a.squeeze(-1) of a dim that is not 1", t -> t[0].squeeze(-1), x(3, 1, 4)));
        c.add(check("a.unsqueeze(1)", t -> t[0].unsqueeze(1), x(3, 4)));
        c.add(check("a.unsqueeze(-1)", t -> t[0].unsqueeze(-1), x(3, 4)));
        c.add(check("a.unsqueeze(0)", t -> t[0].unsqueeze(0), x(3, 4)));

        // narrow, select, slice
        c.add(check("a.narrow(1, 1, 2)", t -> t[0].narrow(1, 1, 2), x(3, 4)));
        c.add(check("a.narrow(0, -2, 2)", t -> t[0].narrow(0, -2, 2), x(3, 4)));
        c.add(check("a.select(0, 1)", t -> t[0].select(0, 1), x(3, 4)));
        c.add(check("a.select(1, -1)", t -> t[0].select(1, -1), x(3, 4)));
        c.add(check("a.select(2, 0)", t -> t[0].select(2, 0), x(2, 3, 4)));
        c.add(check("a.slice(1, 0, end, 2)", t -> t[0].slice(1, 0, END, 2), x(3, 5)));
        c.add(check("a.slice(1, 1, 5, 3)", t -> t[0].slice(1, 1, 5, 3), x(3, 5)));
        c.add(check("a.slice(0, -3, end, 2)", t -> t[0].slice(0, -3, END, 2), x(5, 4)));
        c.add(check("a.slice(0, -2, end, 1)", t -> t[0].slice(0, -2, END, 1), x(3, 4)));
        c.add(check("a.slice(1, -100, 100, 2) (clamped)", t -> t[0].slice(1, -100, 100, 2), x(3, 5)));

        // split, chunk, unbind
        c.add(check("a.split(2, 1)[1]", t -> t[0].split(2, 1).get(1), x(3, 5)));
        c.add(check("a.split(2, 1)[2] (the shorter last piece)", t -> t[0].split(2, 1).get(2), x(3, 5)));
        c.add(check("p = a.split(2, 1); p[0] * p[1]", t -> {
            List<Tensor> p = t[0].split(2, 1);
            return p.get(0).mul(p.get(1));
        }, x(3, 4)));
        c.add(check("a.chunk(3, 0)[1]", t -> t[0].chunk(3, 0).get(1), x(5, 4)));
        c.add(check("a.chunk(2, 1)[1]", t -> t[0].chunk(2, 1).get(1), x(3, 5)));
        c.add(check("a.unbind(1)[2]", t -> t[0].unbind(1).get(2), x(3, 4)));
        c.add(check("u = a.unbind(0); u[1] - u[2] * u[0]", t -> {
            List<Tensor> u = t[0].unbind(0);
            return u.get(1).sub(u.get(2).mul(u.get(0)));
        }, x(3, 4)));

        // cat, stack
        c.add(check("cat(0, a, b)", t -> Tensor.cat(0, t[0], t[1]), x(2, 3), x(4, 3)));
        c.add(check("cat(1, a, b, c)", t -> Tensor.cat(1, t[0], t[1], t[2]), x(3, 2), x(3, 4), x(3, 3)));
        c.add(check("cat(-1, List.of(a, b))", t -> Tensor.cat(-1, List.of(t[0], t[1])), x(2, 2, 3), x(2, 2, 2)));
        c.add(check("cat(0, a, a * b)", t -> Tensor.cat(0, t[0], t[0].mul(t[1])), x(3, 4), x(3, 4)));
        c.add(check("stack(0, a, b)", t -> Tensor.stack(0, t[0], t[1]), x(3, 4), x(3, 4)));
        c.add(check("stack(2, a, b, c)", t -> Tensor.stack(2, t[0], t[1], t[2]), x(3, 4), x(3, 4), x(3, 4)));
        c.add(check("stack(1, a, b) of 1-D", t -> Tensor.stack(1, t[0], t[1]), x(5), x(5)));

        // clone, contiguous, copy_
        c.add(check("a.clone()", t -> t[0].clone(), x(3, 4)));
        c.add(check("a.contiguous()", t -> t[0].contiguous(), x(3, 4)));
        c.add(check("a.clone() * a", t -> t[0].clone().mul(t[0]), x(3, 4)));
        c.add(check("b = a * 1; b.copy_(s); b (gradient to s, none to a)", t -> {
            Tensor b = t[0].mul(1.0);
            b.copy_(t[1]);
            return b;
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 2; b.copy_(s) broadcasting (4,); b * a", t -> {
            Tensor b = t[0].mul(2.0);
            b.copy_(t[1]);
            return b.mul(t[0]);
        }, x(3, 4), x(4)));

        // indexSelect, gather, scatterAdd
        c.add(check("a.indexSelect(0, [2, 0, 2])", t -> t[0].indexSelect(0, longs(new long[] {2, 0, 2}, 3)),
                x(3, 4)));
        c.add(check("a.indexSelect(1, [3, 1])", t -> t[0].indexSelect(1, longs(new long[] {3, 1}, 2)), x(3, 4)));
        c.add(check("a.indexSelect(-1, strided index [1, 3, 1])",
                t -> t[0].indexSelect(-1, longs(new long[] {1, 9, 3, 9, 1}, 5).slice(0, 0, END, 2)), x(3, 4)));
        c.add(check("a.gather(1, idx (3, 2))",
                t -> t[0].gather(1, longs(new long[] {0, 3, 1, 1, 2, 0}, 3, 2)), x(3, 4)));
        c.add(check("a.gather(0, idx (2, 4)) with repeats",
                t -> t[0].gather(0, longs(new long[] {2, 0, 1, 2, 2, 2, 0, 1}, 2, 4)), x(3, 4)));
        c.add(check("a.gather(1, transposed idx (3, 2))",
                t -> t[0].gather(1, longs(new long[] {3, 0, 2, 1, 1, 3}, 2, 3).t()), x(3, 4)));
        c.add(check("a.scatterAdd(0, idx (2, 4), s (2, 4)) (gradient to a and s)",
                t -> t[0].scatterAdd(0, longs(new long[] {2, 0, 2, 1, 2, 1, 2, 1}, 2, 4), t[1]), x(3, 4), x(2, 4)));
        c.add(check("a.scatterAdd(1, idx (3, 2), s (3, 3))",
                t -> t[0].scatterAdd(1, longs(new long[] {0, 0, 3, 1, 2, 3}, 3, 2), t[1]), x(3, 4), x(3, 3)));
        c.add(check("a.scatterAdd(1, idx, s) * a", t -> t[0].scatterAdd(1,
                longs(new long[] {1, 2, 3, 0, 0, 0}, 3, 2), t[1]).mul(t[0]), x(3, 4), x(3, 2)));

        // maskedFill, where, maskedSelect
        c.add(check("a.maskedFill(mask (3, 4), 2.5)", t -> t[0].maskedFill(mask34(), 2.5), x(3, 4)));
        c.add(check("a.maskedFill(mask (4,), -1) broadcasting",
                t -> t[0].maskedFill(mask(new boolean[] {F, T, T, F}, 4), -1), x(3, 4)));
        c.add(check("a.maskedFill(transposed mask, 0)", t -> t[0].maskedFill(mask34().view(4, 3).t(), 0), x(3, 4)));
        c.add(check("a.maskedFill(mask (3, 1, 4), 1) broadcasting a up", t -> t[0].maskedFill(
                mask(new boolean[] {T, F, F, F, F, T, F, F, F, F, T, T}, 3, 1, 4), 1), x(2, 4)));
        c.add(check("where(mask, a, b)", t -> Tensor.where(mask34(), t[0], t[1]), x(3, 4), x(3, 4)));
        c.add(check("where(mask (3, 1), a (3, 4), b (4,)) broadcasting",
                t -> Tensor.where(mask(new boolean[] {T, F, T}, 3, 1), t[0], t[1]), x(3, 4), x(4)));
        c.add(check("where(expanded mask, a * b, a)",
                t -> Tensor.where(mask(new boolean[] {F, T, T, F}, 1, 4).expand(3, 4), t[0].mul(t[1]), t[0]),
                x(3, 4), x(3, 4)));
        c.add(check("a.maskedSelect(mask (3, 4))", t -> t[0].maskedSelect(mask34()), x(3, 4)));
        c.add(check("a.maskedSelect(mask (4,)) broadcasting",
                t -> t[0].maskedSelect(mask(new boolean[] {T, F, T, T}, 4)), x(3, 4)));
        c.add(check("a.maskedSelect(mask (2, 3, 4)) broadcasting a up", t -> t[0].maskedSelect(mask(new boolean[] {
                T, F, F, T, F, T, T, F, F, F, T, T, F, T, T, F, T, T, F, F, T, F, T, F}, 2, 3, 4)), x(3, 4)));

        // in-place ops through views of a non-leaf
        c.add(check("b = a * 1; b.select(0, 1).add_(s); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.select(0, 1).add_(t[1]);
            return b;
        }, x(3, 4), x(4)));
        c.add(check("b = a * s; b.t().select(0, 1).zero_(); b * b", t -> {
            Tensor b = t[0].mul(t[1]);
            b.t().select(0, 1).zero_();
            return b.mul(b);
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.t().narrow(0, 1, 2).zero_(); b + s", t -> {
            Tensor b = t[0].mul(1.0);
            b.t().narrow(0, 1, 2).zero_();
            return b.add(t[1]);
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.t().zero_(); (b + s) * a", t -> {
            Tensor b = t[0].mul(1.0);
            b.t().zero_();
            return b.add(t[1]).mul(t[0]);
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.slice(1, 0, end, 2).copy_(s); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.slice(1, 0, END, 2).copy_(t[1]);
            return b;
        }, x(3, 4), x(3, 2)));
        c.add(check("b = a * 1; b.t().slice(0, 1, end, 2).copy_(s) broadcasting (3,); b * a", t -> {
            Tensor b = t[0].mul(1.0);
            b.t().slice(0, 1, END, 2).copy_(t[1]);
            return b.mul(t[0]);
        }, x(3, 4), x(3)));
        c.add(check("b = a * 2; b.narrow(0, 1, 1).fill_(3); b * a", t -> {
            Tensor b = t[0].mul(2.0);
            b.narrow(0, 1, 1).fill_(3);
            return b.mul(t[0]);
        }, x(3, 4)));
        c.add(check("b = a * 1; b.select(1, 2).maskedFill_(mask, 0.5); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.select(1, 2).maskedFill_(mask(new boolean[] {T, F, T}, 3), 0.5);
            return b;
        }, x(3, 4)));
        c.add(check("b = a * 1; b.narrow(0, 1, 2).scatterAdd_(1, idx, s); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.narrow(0, 1, 2).scatterAdd_(1, longs(new long[] {3, 3, 0, 2}, 2, 2), t[1]);
            return b;
        }, x(3, 4), x(2, 2)));
        c.add(check("b = a * 1; b.select(0, 0).add_(s); b.select(1, 1).add_(r); b (overlapping writes)", t -> {
            Tensor b = t[0].mul(1.0);
            b.select(0, 0).add_(t[1]);
            b.select(1, 1).add_(t[2]);
            return b;
        }, x(3, 4), x(4), x(3)));
        c.add(check("b = a * 1; v = b.t(); b.select(0, 1).add_(s); v * v (a view made before the write)", t -> {
            Tensor b = t[0].mul(1.0);
            Tensor v = b.t();
            b.select(0, 1).add_(t[1]);
            return v.mul(v);
        }, x(3, 4), x(4)));
        c.add(check("b = a * 1; v = b.unsqueeze(0).expand(2, 3, 4); b.select(0, 1).add_(s); v * v "
                + "(an expanded view made before the write)", t -> {
            Tensor b = t[0].mul(1.0);
            Tensor v = b.unsqueeze(0).expand(2, 3, 4);
            b.select(0, 1).add_(t[1]);
            return v.mul(v);
        }, x(3, 4), x(4)));
        c.add(check("b = a * 1; v = b.narrow(1, 1, 2); b.add_(s); v (the base written, the view read)", t -> {
            Tensor b = t[0].mul(1.0);
            Tensor v = b.narrow(1, 1, 2);
            b.add_(t[1]);
            return v;
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; v = b.narrow(1, 1, 2); b.add_(s); v * 2 (the base written, the view used)", t -> {
            Tensor b = t[0].mul(1.0);
            Tensor v = b.narrow(1, 1, 2);
            b.add_(t[1]);
            return v.mul(2.0);
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.view(2, 6).t().narrow(0, 1, 3).select(1, 0).add_(s); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.view(2, 6).t().narrow(0, 1, 3).select(1, 0).add_(t[1]);
            return b;
        }, x(3, 4), x(3)));
        c.add(check("b = a * 1; b.unsqueeze(0).expand(2, 3, 4).select(0, 1).select(0, 2).add_(s); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.unsqueeze(0).expand(2, 3, 4).select(0, 1).select(0, 2).add_(t[1]);
            return b;
        }, x(3, 4), x(4)));
        c.add(check("b = a * s; b.select(0, 2).add_(b.select(0, 0)); b (a view of b read into another)", t -> {
            Tensor b = t[0].mul(t[1]);
            b.select(0, 2).add_(b.select(0, 0));
            return b;
        }, x(3, 4), x(3, 4)));

        // chains of views
        c.add(check("a.t().unsqueeze(0).expand(2, -1, -1).narrow(2, 1, 2).reshape(2, -1)",
                t -> t[0].t().unsqueeze(0).expand(2, -1, -1).narrow(2, 1, 2).reshape(2, -1), x(3, 4)));
        c.add(check("a.view(2, 6).t().select(1, 1).unsqueeze(1).expand(6, 3).flatten()", DENSE,
                t -> t[0].view(2, 6).t().select(1, 1).unsqueeze(1).expand(6, 3).flatten(), x(3, 4)));
        c.add(check("a.permute(2, 0, 1).slice(0, 1, end, 2).mT()",
                t -> t[0].permute(2, 0, 1).slice(0, 1, END, 2).mT(), x(2, 3, 4)));
        c.add(check("a.permute(2, 0, 1).narrow(0, 3, 1).squeeze(0).unsqueeze(-1).squeeze().t()",
                t -> t[0].permute(2, 0, 1).narrow(0, 3, 1).squeeze(0).unsqueeze(-1).squeeze().t(), x(2, 3, 4)));
        c.add(check("a.transpose(0, 1).unflatten(1, 2, 2).chunk(2, 2)[1].squeeze(-1) * b.t()",
                t -> t[0].transpose(0, 1).unflatten(1, 2, 2).chunk(2, 2).get(1).squeeze(-1).mul(t[1].t()),
                x(4, 3), x(2, 3)));
        c.add(check("(a.t() * s.unsqueeze(1)).sum([0]) + a.select(1, 0)",
                t -> t[0].t().mul(t[1].unsqueeze(1)).sum(new int[] {0}, false).add(t[0].select(1, 0)),
                x(3, 4), x(4)));
        c.add(check("cat(0, a.t(), b.narrow(0, 1, 2)).view(-1, 3).unbind(0)[3]",
                t -> Tensor.cat(0, t[0].t(), t[1].narrow(0, 1, 2)).view(-1, 3).unbind(0).get(3), x(3, 4), x(3, 3)));

        // round-1 ops, here on non-contiguous and offset inputs
        c.add(check("a.add(b)", t -> t[0].add(t[1]), x(3, 4), x(3, 4)));
        c.add(check("a.sub(b)", t -> t[0].sub(t[1]), x(3, 4), x(3, 4)));
        c.add(check("a.mul(b)", t -> t[0].mul(t[1]), x(3, 4), x(3, 4)));
        c.add(check("a.div(b)", t -> t[0].div(t[1]), x(3, 4), denominator(3, 4)));
        c.add(check("(3, 4) + (4,)", t -> t[0].add(t[1]), x(3, 4), x(4)));
        c.add(check("(3, 1) - (3, 4)", t -> t[0].sub(t[1]), x(3, 1), x(3, 4)));
        c.add(check("(2, 3, 4) * (3, 4)", t -> t[0].mul(t[1]), x(2, 3, 4), x(3, 4)));
        c.add(check("(3, 4) / (3, 1)", t -> t[0].div(t[1]), x(3, 4), denominator(3, 1)));
        c.add(check("a.add(2.5)", t -> t[0].add(2.5), x(3, 4)));
        c.add(check("a.sub(2.5)", t -> t[0].sub(2.5), x(3, 4)));
        c.add(check("a.mul(-1.5)", t -> t[0].mul(-1.5), x(3, 4)));
        c.add(check("a.div(0.7)", t -> t[0].div(0.7), x(3, 4)));
        c.add(check("a.neg()", t -> t[0].neg(), x(3, 4)));
        c.add(check("a.sum()", t -> t[0].sum(), x(3, 4)));
        c.add(check("a.mean()", t -> t[0].mean(), x(3, 4)));
        c.add(check("a.sum([0])", t -> t[0].sum(new int[] {0}, false), x(3, 4)));
        c.add(check("a.sum([1], keepdim)", t -> t[0].sum(new int[] {1}, true), x(3, 4)));
        c.add(check("a.sum([0, 2]) of (2, 3, 4)", t -> t[0].sum(new int[] {0, 2}, false), x(2, 3, 4)));
        c.add(check("a.sum([-1, 0], keepdim) of (2, 3, 4)", t -> t[0].sum(new int[] {-1, 0}, true), x(2, 3, 4)));
        c.add(check("a.mean([0])", t -> t[0].mean(new int[] {0}, false), x(3, 4)));
        c.add(check("a.mean([1, 2], keepdim) of (2, 3, 4)", t -> t[0].mean(new int[] {1, 2}, true), x(2, 3, 4)));
        c.add(check("(a * b - a / b).sum([1])", t -> t[0].mul(t[1]).sub(t[0].div(t[1])).sum(new int[] {1}, false),
                x(3, 4), denominator(3, 4)));
        c.add(check("((x * w) + bias).sum([1]).mean()",
                t -> t[0].mul(t[1]).add(t[2]).sum(new int[] {1}, false).mean(), x(4, 3), x(3), x(3)));
        return c;
    }

    // -------------------------------------------------------------------------------------- variants

    /**
     * The check on contiguous inputs; then once per non-contiguous layout (every input that layout
     * applies to gets it); then, for several inputs, a mix of layouts.
     */
    private static List<Check> variants(Check c) {
        List<Check> out = new ArrayList<>();
        out.add(c);
        for (Layout l : NON_CONTIGUOUS) {
            if (!c.layouts().contains(l)) continue;
            List<Input> ins = new ArrayList<>();
            boolean changed = false;
            for (Input in : c.inputs()) {
                boolean applies = l.appliesTo(in.shape());
                ins.add(applies ? in.with(l) : in);
                changed |= applies;
            }
            if (changed) out.add(new Check(c.name(), c.f(), ins, c.layouts()));
        }
        if (c.inputs().size() > 1) {
            List<Input> ins = new ArrayList<>();
            for (int i = 0; i < c.inputs().size(); i++) {
                Input in = c.inputs().get(i);
                Layout pick = Layout.CONTIGUOUS;
                for (int k = 0; k < NON_CONTIGUOUS.size(); k++) {
                    Layout l = NON_CONTIGUOUS.get((i + k) % NON_CONTIGUOUS.size());
                    if (c.layouts().contains(l) && l.appliesTo(in.shape())) {
                        pick = l;
                        break;
                    }
                }
                ins.add(in.with(pick));
            }
            out.add(new Check(c.name(), c.f(), ins, c.layouts()));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferencesOnEveryLayout() {
        return checks().stream().flatMap(c -> variants(c).stream())
                .map(c -> DynamicTest.dynamicTest(c.name() + " " + c.inputs(), () -> run(c)));
    }

    /** Guards the claim of the class: each non-contiguous layout really yields such an input. */
    @TestFactory
    Stream<DynamicTest> everyLayoutMakesTheInputItNames() {
        long[] shape = {3, 4};
        return Arrays.stream(Layout.values()).map(l -> DynamicTest.dynamicTest(l.name(), () -> {
            Input in = x(shape).with(l);
            double[] values = new double[in.leafNumel()];
            for (int i = 0; i < values.length; i++) values[i] = i;
            Tensor[] made = make(in, values, true);
            Tensor input = made[1];
            assertArrayEquals(shape, input.shape());
            switch (l) {
                case CONTIGUOUS -> assertTrue(input.isContiguous() && input.storageOffset() == 0);
                case FROM_END -> {
                    assertTrue(input.isContiguous());
                    assertEquals(8, input.storageOffset());
                }
                case TRANSPOSED -> assertArrayEquals(new long[] {1, 3}, input.stride());
                case STEPPED -> {
                    assertArrayEquals(new long[] {8, 1}, input.stride());
                    assertEquals(4, input.storageOffset());
                }
                case EXPANDED -> assertArrayEquals(new long[] {0, 1}, input.stride());
                case STRIDED_LEAF -> {
                    assertArrayEquals(new long[] {1, 3}, input.stride());
                    assertTrue(input.isLeaf() && input.requiresGrad());
                }
            }
            if (l != Layout.CONTIGUOUS && l != Layout.FROM_END) assertFalse(input.isContiguous());
            if (l == Layout.STRIDED_LEAF) {
                // the leaf's values are the row-major values that finite differences perturb
                assertArrayEquals(values, input.toDoubleArray());
            }
        }));
    }

    // ---------------------------------------------------------------------------------------- running

    /**
     * {@code [leaf, input]}: the float64 leaf holding {@code values} (requiring grad when asked) and
     * the input made from it in the input's layout.
     */
    private static Tensor[] make(Input in, double[] values, boolean requiresGrad) {
        long[] s = in.shape();
        if (in.layout() == Layout.STRIDED_LEAF) {
            Tensor leaf = stridedLeaf(values, s);
            if (requiresGrad) leaf.requiresGrad_(true);
            return new Tensor[] {leaf, leaf};
        }
        Tensor leaf = Tensor.of(values.clone(), in.leafShape());
        if (requiresGrad) leaf.requiresGrad_(true);
        Tensor input = switch (in.layout()) {
            case CONTIGUOUS -> leaf;
            case TRANSPOSED -> leaf.transpose(0, -1);
            case STEPPED -> leaf.slice(0, 1, END, 2);
            case EXPANDED -> leaf.expand(s);
            case FROM_END -> leaf.slice(0, -s[0], END, 1);
            case STRIDED_LEAF -> throw new AssertionError();
        };
        return new Tensor[] {leaf, input};
    }

    /**
     * A non-contiguous view whose row-major elements are {@code values}: for 2+ dims the
     * transpose(0, -1) of storage laid out with those dims swapped; for 1-D every second element.
     */
    private static Tensor stridedLeaf(double[] values, long[] shape) {
        int nd = shape.length;
        if (nd == 1) {
            double[] base = new double[2 * values.length];
            for (int i = 0; i < values.length; i++) {
                base[2 * i] = values[i];
                base[2 * i + 1] = 1e6;   // never read
            }
            return Tensor.of(base, base.length).slice(0, 0, END, 2);
        }
        long[] baseShape = shape.clone();
        baseShape[0] = shape[nd - 1];
        baseShape[nd - 1] = shape[0];
        double[] base = new double[values.length];
        long[] idx = new long[nd];
        for (int f = 0; f < values.length; f++) {
            long rem = f;
            for (int d = nd - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            long b = 0;
            for (int d = 0; d < nd; d++) {
                long i = d == 0 ? idx[nd - 1] : d == nd - 1 ? idx[0] : idx[d];
                b = b * baseShape[d] + i;
            }
            base[(int) b] = values[f];
        }
        return Tensor.of(base, baseShape).transpose(0, -1);
    }

    private static void run(Check c) {
        Random random = new Random((c.name() + c.inputs()).hashCode());
        List<double[]> values = new ArrayList<>();
        for (Input in : c.inputs()) values.add(randomValues(in, random));

        Tensor[] leaves = new Tensor[values.size()];
        Tensor[] inputs = new Tensor[values.size()];
        for (int i = 0; i < leaves.length; i++) {
            Tensor[] made = make(c.inputs().get(i), values.get(i), true);
            leaves[i] = made[0];
            inputs[i] = made[1];
        }
        Tensor y = c.f().apply(inputs);
        assertEquals(DType.FLOAT64, y.dtype(), "output dtype");
        double[] upstream = new double[Math.toIntExact(y.numel())];
        for (int j = 0; j < upstream.length; j++) upstream[j] = random.nextGaussian();
        y.backward(float64(upstream, y.shape()));

        for (int i = 0; i < leaves.length; i++) {
            Tensor grad = leaves[i].grad();
            assertNotNull(grad, c.name() + ": input " + i + " should have a grad");
            assertArrayEquals(leaves[i].shape(), grad.shape(), "grad shape of input " + i);
            assertEquals(DType.FLOAT64, grad.dtype(), "grad dtype of input " + i);
            assertGradientMatchesFiniteDifferences(c, values, upstream, i, grad.toDoubleArray());
        }
    }

    /** Compares every element of input {@code i}'s analytic gradient with its central difference. */
    private static void assertGradientMatchesFiniteDifferences(Check c, List<double[]> values, double[] upstream, int i,
                                                               double[] analytic) {
        FiniteDifferences.assertMatches(c.name() + ": input " + i, values.get(i), analytic,
                () -> weightedOutput(c, values, upstream));
    }

    /** {@code sum(f(values) * upstream)}, evaluated without recording a graph. */
    private static double weightedOutput(Check c, List<double[]> values, double[] upstream) {
        double[] y = NoGrad.call(() -> {
            Tensor[] inputs = new Tensor[values.size()];
            for (int i = 0; i < inputs.length; i++) inputs[i] = make(c.inputs().get(i), values.get(i), false)[1];
            return c.f().apply(inputs).toDoubleArray();
        });
        return FiniteDifferences.weighted(y, upstream);
    }

    /** A float64 tensor of the given values; an empty shape is 0-dim. */
    private static Tensor float64(double[] values, long[] shape) {
        return shape.length == 0 ? Tensor.full(DType.FLOAT64, values[0]) : Tensor.of(values.clone(), shape);
    }

    private static double[] randomValues(Input in, Random random) {
        double[] v = new double[in.leafNumel()];
        for (int j = 0; j < v.length; j++) {
            v[j] = switch (in.values()) {
                case NORMAL -> random.nextGaussian();
                case AWAY_FROM_ZERO -> (0.5 + 1.5 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
            };
        }
        return v;
    }
}
