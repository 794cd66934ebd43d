package org.proper.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small helpers for hand-written inline SVG: escaping, number formatting, "nice" axis ticks, the colour palette. */
final class Svg {
    /** Tableau 10: distinct colours for series and methods. */
    static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac");

    private Svg() {
    }

    static String color(int index) {
        return PALETTE.get(Math.floorMod(index, PALETTE.size()));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String num(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** A tick label: integers plain, otherwise up to 4 significant digits. */
    static String tick(double value) {
        if (Math.abs(value - Math.rint(value)) < 1e-9 && Math.abs(value) < 1e12) {
            return Long.toString(Math.round(value));
        }
        return String.format(Locale.ROOT, "%.4g", value).replaceAll("\\.?0+$", "");
    }

    /** About {@code count} round tick values covering [min, max] (min < max). */
    static List<Double> ticks(double min, double max, int count) {
        double span = max - min;
        double rough = span / Math.max(1, count);
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double step = magnitude;
        for (double factor : new double[] {1, 2, 2.5, 5, 10}) {
            step = factor * magnitude;
            if (span / step <= count) {
                break;
            }
        }
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
            ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
        }
        return ticks;
    }

    /** A value range with a little padding, never empty. */
    static double[] range(double min, double max, boolean fromZero) {
        if (fromZero) {
            min = Math.min(0, min);
        }
        if (!(max > min)) {
            max = min + (min == 0 ? 1 : Math.abs(min) * 0.1);
        }
        List<Double> ticks = ticks(min, max, 5);
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : (max - min);
        double lo = Math.floor(min / step + 1e-9) * step;
        double hi = Math.ceil(max / step - 1e-9) * step;
        return new double[] {lo, hi > lo ? hi : lo + step};
    }
}
