package org.proper.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hand-written inline SVG charts (no scripts, no network): bars, histogram, lines and grouped bars. Data marks carry
 * the classes {@code bar} and {@code series} so tests can count them in the rendered DOM.
 */
final class SvgCharts {
    static final int WIDTH = 560;
    static final int HEIGHT = 320;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 36;
    private static final int BOTTOM = 56;

    private SvgCharts() {
    }

    /** Plot area and y scale shared by all charts. */
    private static final class Frame {
        final StringBuilder svg = new StringBuilder();
        final double yMin;
        final double yMax;
        final int legendWidth;

        Frame(String id, String title, double yMin, double yMax, String xLabel, String yLabel, int legendWidth) {
            this.yMin = yMin;
            this.yMax = yMax;
            this.legendWidth = legendWidth;
            svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"").append(Svg.escape(id))
                    .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                    .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\">")
                    .append("<title>").append(Svg.escape(title)).append("</title>")
                    .append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                    .append("\" fill=\"#ffffff\"/>")
                    .append(text(WIDTH / 2.0, 20, title, "middle", 14, "bold"));
            for (double tick : Svg.ticks(yMin, yMax, 5)) {
                double y = y(tick);
                svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(Svg.num(plotRight()))
                        .append("\" y1=\"").append(Svg.num(y)).append("\" y2=\"").append(Svg.num(y))
                        .append("\" stroke=\"#e0e0e0\"/>")
                        .append(text(LEFT - 6, y + 4, Svg.tick(tick), "end", 11, "normal"));
            }
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"").append(TOP)
                    .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>")
                    .append("<line x1=\"").append(LEFT).append("\" x2=\"").append(Svg.num(plotRight()))
                    .append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" y2=\"").append(HEIGHT - BOTTOM)
                    .append("\" stroke=\"#333\"/>")
                    .append(text((LEFT + plotRight()) / 2, HEIGHT - 10, xLabel, "middle", 12, "normal"))
                    .append("<text x=\"14\" y=\"").append(Svg.num((TOP + HEIGHT - BOTTOM) / 2.0))
                    .append("\" font-size=\"12\" text-anchor=\"middle\" font-family=\"sans-serif\" transform=\"rotate(-90 14 ")
                    .append(Svg.num((TOP + HEIGHT - BOTTOM) / 2.0)).append(")\">").append(Svg.escape(yLabel))
                    .append("</text>");
        }

        double plotRight() {
            return WIDTH - RIGHT - legendWidth;
        }

        double plotWidth() {
            return plotRight() - LEFT;
        }

        double y(double value) {
            double clamped = Math.max(yMin, Math.min(yMax, value));
            return HEIGHT - BOTTOM - (clamped - yMin) / (yMax - yMin) * (HEIGHT - BOTTOM - TOP);
        }

        void bar(double x, double width, double value, String color, String tooltip) {
            double top = y(Math.max(value, yMin));
            double base = y(Math.max(yMin, Math.min(0, yMax)));
            svg.append("<rect class=\"bar\" x=\"").append(Svg.num(x)).append("\" y=\"").append(Svg.num(Math.min(top, base)))
                    .append("\" width=\"").append(Svg.num(Math.max(width, 1))).append("\" height=\"")
                    .append(Svg.num(Math.max(Math.abs(base - top), 0.5))).append("\" fill=\"").append(color)
                    .append("\"><title>").append(Svg.escape(tooltip)).append("</title></rect>");
        }

        void xLabel(double x, String label) {
            svg.append(text(x, HEIGHT - BOTTOM + 16, label, "middle", 11, "normal"));
        }

        void legend(List<String> names) {
            double x = plotRight() + 12;
            for (int i = 0; i < names.size(); i++) {
                double y = TOP + 6 + i * 18;
                svg.append("<rect x=\"").append(Svg.num(x)).append("\" y=\"").append(Svg.num(y - 9))
                        .append("\" width=\"12\" height=\"12\" fill=\"").append(Svg.color(i)).append("\"/>")
                        .append(text(x + 16, y + 1, names.get(i), "start", 11, "normal"));
            }
        }

        String done() {
            return svg.append("</svg>").toString();
        }
    }

    static String text(double x, double y, String text, String anchor, int size, String weight) {
        return "<text x=\"" + Svg.num(x) + "\" y=\"" + Svg.num(y) + "\" font-size=\"" + size + "\" font-weight=\""
                + weight + "\" text-anchor=\"" + anchor + "\" font-family=\"sans-serif\">" + Svg.escape(text) + "</text>";
    }

    /** One bar per label, each its own palette colour (e.g. users per group). */
    static String bars(String id, String title, List<String> labels, List<Double> values, String xLabel, String yLabel) {
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double[] range = Svg.range(0, max, true);
        Frame frame = new Frame(id, title, range[0], range[1], xLabel, yLabel, 0);
        double slot = frame.plotWidth() / Math.max(1, labels.size());
        boolean labelEvery = labels.size() <= 24;
        for (int i = 0; i < labels.size(); i++) {
            double x = LEFT + i * slot;
            frame.bar(x + slot * 0.1, slot * 0.8, values.get(i), Svg.color(i), labels.get(i) + ": " + Svg.tick(values.get(i)));
            if (labelEvery || i % Math.max(1, labels.size() / 12) == 0) {
                frame.xLabel(x + slot / 2, labels.get(i));
            }
        }
        return frame.done();
    }

    /** A histogram of values over [lo, hi] in {@code bins} equal bins (values outside are clamped to the ends). */
    static String histogram(String id, String title, List<Double> values, double lo, double hi, int bins,
                            String xLabel) {
        long[] counts = binCounts(values, lo, hi, bins);
        double width = (hi - lo) / bins;
        long max = 1;
        for (long count : counts) {
            max = Math.max(max, count);
        }
        double[] range = Svg.range(0, max, true);
        Frame frame = new Frame(id, title, range[0], range[1], xLabel, "count", 0);
        double slot = frame.plotWidth() / bins;
        for (int i = 0; i < bins; i++) {
            double from = lo + i * width;
            frame.bar(LEFT + i * slot + 1, slot - 2, counts[i], Svg.color(0),
                    "[" + Svg.tick(from) + ", " + Svg.tick(from + width) + "): " + counts[i]);
        }
        for (double tick : Svg.ticks(lo, hi, 6)) {
            frame.xLabel(LEFT + (tick - lo) / (hi - lo) * frame.plotWidth(), Svg.tick(tick));
        }
        return frame.done();
    }

    /** Counts of values in {@code bins} equal bins over [lo, hi]; values outside go to the first or last bin. */
    static long[] binCounts(List<Double> values, double lo, double hi, int bins) {
        long[] counts = new long[bins];
        double width = (hi - lo) / bins;
        for (double value : values) {
            int bin = (int) Math.floor((value - lo) / width);
            counts[Math.max(0, Math.min(bins - 1, bin))]++;
        }
        return counts;
    }

    /** One polyline per series against its step index (0-based), with a legend. */
    static String lines(String id, String title, Map<String, List<Double>> series, String xLabel, String yLabel) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int steps = 1;
        for (List<Double> values : series.values()) {
            steps = Math.max(steps, values.size());
            for (double value : values) {
                if (Double.isFinite(value)) {
                    min = Math.min(min, value);
                    max = Math.max(max, value);
                }
            }
        }
        if (!Double.isFinite(min)) {
            min = 0;
            max = 1;
        }
        double[] range = Svg.range(min, max, min >= 0 && min < max * 0.25);
        List<String> names = new ArrayList<>(series.keySet());
        Frame frame = new Frame(id, title, range[0], range[1], xLabel, yLabel, legendWidth(names));
        double lastStep = Math.max(1, steps - 1);
        for (int s = 0; s < names.size(); s++) {
            List<Double> values = series.get(names.get(s));
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < values.size(); i++) {
                if (Double.isFinite(values.get(i))) {
                    double x = LEFT + i / lastStep * frame.plotWidth();
                    points.append(Svg.num(x)).append(',').append(Svg.num(frame.y(values.get(i)))).append(' ');
                }
            }
            frame.svg.append("<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"")
                    .append(Svg.color(s)).append("\" points=\"").append(points.toString().trim()).append("\"><title>")
                    .append(Svg.escape(names.get(s))).append("</title></polyline>");
        }
        for (double tick : Svg.ticks(0, lastStep, 6)) {
            frame.xLabel(LEFT + tick / lastStep * frame.plotWidth(), Svg.tick(tick));
        }
        frame.legend(names);
        return frame.done();
    }

    /** Grouped bars: one group per x label, one bar per series (values[series][group]; NaN = no bar). */
    static String groupedBars(String id, String title, List<String> groups, List<String> seriesNames,
                              double[][] values, String yLabel) {
        double max = 0;
        for (double[] row : values) {
            for (double value : row) {
                if (Double.isFinite(value)) {
                    max = Math.max(max, value);
                }
            }
        }
        double[] range = Svg.range(0, max, true);
        Frame frame = new Frame(id, title, range[0], range[1], "profile items per user", yLabel, legendWidth(seriesNames));
        double slot = frame.plotWidth() / Math.max(1, groups.size());
        double barWidth = slot * 0.8 / Math.max(1, seriesNames.size());
        for (int g = 0; g < groups.size(); g++) {
            double x = LEFT + g * slot + slot * 0.1;
            for (int s = 0; s < seriesNames.size(); s++) {
                if (Double.isFinite(values[s][g])) {
                    frame.bar(x + s * barWidth, barWidth - 1, values[s][g], Svg.color(s),
                            seriesNames.get(s) + " " + groups.get(g) + ": " + MarkdownTable.format(values[s][g]));
                }
            }
            frame.xLabel(LEFT + g * slot + slot / 2, groups.get(g));
        }
        frame.legend(seriesNames);
        return frame.done();
    }

    private static int legendWidth(List<String> names) {
        int longest = names.stream().mapToInt(String::length).max().orElse(0);
        return Math.min(180, 28 + longest * 7);
    }
}
