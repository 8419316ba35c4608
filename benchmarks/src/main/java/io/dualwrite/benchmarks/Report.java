package io.dualwrite.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH scores into the results table (Markdown) and the ratio chart (SVG). Pure: no JMH, no
 * I/O, so it is unit-tested. Errors are JMH's score error (99.9% confidence half-width); a ratio's
 * error combines both relative errors (root of the sum of squares).
 */
public final class Report {

    /** One JMH result; {@code key} is {@code Class.method} or {@code Class.method[param=value]}. */
    public record Score(String key, double score, double error, String unit) {
    }

    /** candidate / baseline; {@code target} null means "report only". */
    public record Ratio(String group, String label, String candidate, String baseline, Double target, String targetText) {
    }

    /** candidate − baseline (or candidate alone if baseline is null), in the scores' unit, against a limit. */
    public record Absolute(String label, String candidate, String baseline, double limit, String limitText) {
    }

    public record Row(Ratio ratio, double value, double error, Score candidate, Score baseline) {
        /** Missed: the ratio is above the target (the point estimate; the error column says how sure). */
        public boolean missed() {
            return ratio.target() != null && value > ratio.target();
        }
    }

    private final Map<String, Score> scores = new LinkedHashMap<>();

    public Report(List<Score> scores) {
        for (Score s : scores) {
            this.scores.put(s.key(), s);
        }
    }

    public Score score(String key) {
        return scores.get(key);
    }

    public List<Row> rows(List<Ratio> ratios) {
        List<Row> rows = new ArrayList<>();
        for (Ratio r : ratios) {
            Score c = scores.get(r.candidate());
            Score b = scores.get(r.baseline());
            if (c == null || b == null || b.score() == 0) {
                continue;
            }
            double value = c.score() / b.score();
            double error = value * Math.sqrt(sq(rel(c)) + sq(rel(b)));
            rows.add(new Row(r, value, error, c, b));
        }
        return rows;
    }

    private static double rel(Score s) {
        return Double.isFinite(s.error()) && s.score() != 0 ? s.error() / s.score() : 0;
    }

    private static double sq(double v) {
        return v * v;
    }

    /** The ratio table. */
    public String ratioTable(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| group | comparison | ratio ± error | target | verdict | candidate | baseline |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append("| ").append(r.ratio().group())
                    .append(" | ").append(r.ratio().label())
                    .append(" | ").append(fmt(r.value(), 3)).append("× ± ").append(fmt(r.error(), 3))
                    .append(" | ").append(r.ratio().target() == null ? "report" : r.ratio().targetText())
                    .append(" | ").append(verdict(r))
                    .append(" | ").append(abs(r.candidate()))
                    .append(" | ").append(abs(r.baseline()))
                    .append(" |\n");
        }
        return b.toString();
    }

    private static String verdict(Row r) {
        if (r.ratio().target() == null) {
            return "—";
        }
        double t = r.ratio().target();
        if (r.value() <= t) {
            return r.value() + r.error() <= t ? "met" : "met (within error)";
        }
        String by = "+" + fmt((r.value() / t - 1) * 100, 1) + "%";
        return r.value() - r.error() <= t ? "**missed by " + by + "** (within error)" : "**missed by " + by + "**";
    }

    /** Absolute figures against their limits. */
    public String absoluteTable(List<Absolute> figures) {
        StringBuilder b = new StringBuilder();
        b.append("| figure | value ± error | limit | verdict | from |\n");
        b.append("|---|---|---|---|---|\n");
        for (Absolute a : figures) {
            Score c = scores.get(a.candidate());
            Score base = a.baseline() == null ? null : scores.get(a.baseline());
            if (c == null || (a.baseline() != null && base == null)) {
                continue;
            }
            double value = base == null ? c.score() : c.score() - base.score();
            double error = base == null ? err(c) : Math.sqrt(sq(err(c)) + sq(err(base)));
            String verdict = value <= a.limit() ? "met"
                    : "**missed by " + fmt(value - a.limit(), 3) + " " + c.unit() + "**";
            b.append("| ").append(a.label())
                    .append(" | ").append(fmt(value, 3)).append(" ± ").append(fmt(error, 3)).append(' ').append(c.unit())
                    .append(" | ").append(a.limitText())
                    .append(" | ").append(verdict)
                    .append(" | ").append(base == null ? abs(c) : abs(c) + " − " + abs(base))
                    .append(" |\n");
        }
        return b.toString();
    }

    private static double err(Score s) {
        return Double.isFinite(s.error()) ? s.error() : 0;
    }

    /** Every score, as JMH reported it. */
    public String scoreTable() {
        StringBuilder b = new StringBuilder();
        b.append("| benchmark | score ± error | unit |\n|---|---|---|\n");
        for (Score s : scores.values()) {
            b.append("| `").append(s.key()).append("` | ").append(fmt(s.score(), 3)).append(" ± ")
                    .append(Double.isFinite(s.error()) ? fmt(s.error(), 3) : "n/a").append(" | ").append(s.unit()).append(" |\n");
        }
        return b.toString();
    }

    private static String abs(Score s) {
        return fmt(s.score(), 2) + " " + s.unit();
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Horizontal bars of the ratios, error whiskers, a line at 1.0 and each target as a red tick. */
    public String svg(List<Row> rows, String title) {
        int rowH = 24;
        int labelW = 430;
        int plotW = 420;
        int top = 50;
        int width = labelW + plotW + 90;
        int height = top + rows.size() * rowH + 50;
        double max = 1.1;
        for (Row r : rows) {
            max = Math.max(max, r.value() + r.error());
            if (r.ratio().target() != null) {
                max = Math.max(max, r.ratio().target());
            }
        }
        double step = 0.25;
        for (double candidate : new double[] {0.25, 0.5, 1, 2, 5, 10, 20, 50}) {
            step = candidate;
            if (max / candidate <= 8) {
                break;
            }
        }
        max = Math.ceil(max / step) * step + step;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">").append(xml(title)).append("</text>\n");
        b.append("<text x=\"10\" y=\"40\" fill=\"#555\">ratio = candidate / baseline (lower is cheaper); whiskers: JMH score error;"
                + " red tick: target</text>\n");
        double plotBottom = top + rows.size() * rowH;
        // grid every step, plus the 1.0 line
        List<Double> grid = new ArrayList<>();
        for (double g = 0; g <= max + 1e-9; g += step) {
            grid.add(g);
        }
        if (step > 1) {
            grid.add(1.0);
        }
        for (double g : grid) {
            double x = labelW + g / max * plotW;
            boolean one = Math.abs(g - 1) < 1e-9;
            b.append("<line x1=\"").append(fmt(x, 1)).append("\" y1=\"").append(top - 4).append("\" x2=\"").append(fmt(x, 1))
                    .append("\" y2=\"").append(fmt(plotBottom, 1)).append("\" stroke=\"").append(one ? "#000" : "#ddd")
                    .append("\" stroke-width=\"").append(one ? "1.5" : "1").append("\"/>\n");
            b.append("<text x=\"").append(fmt(x, 1)).append("\" y=\"").append(fmt(plotBottom + 16, 1))
                    .append("\" text-anchor=\"middle\" fill=\"#333\">").append(fmt(g, 2)).append("</text>\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double y = top + i * rowH;
            double x0 = labelW;
            double w = r.value() / max * plotW;
            String color = r.missed() ? "#e8875b" : (r.ratio().target() == null ? "#8fa8c8" : "#6fbf73");
            b.append("<text x=\"").append(labelW - 8).append("\" y=\"").append(fmt(y + 16, 1)).append("\" text-anchor=\"end\">")
                    .append(xml(r.ratio().group() + ": " + r.ratio().label())).append("</text>\n");
            b.append("<rect x=\"").append(fmt(x0, 1)).append("\" y=\"").append(fmt(y + 4, 1)).append("\" width=\"")
                    .append(fmt(w, 1)).append("\" height=\"").append(rowH - 8).append("\" fill=\"").append(color).append("\"/>\n");
            double lo = labelW + Math.max(0, r.value() - r.error()) / max * plotW;
            double hi = labelW + (r.value() + r.error()) / max * plotW;
            double cy = y + rowH / 2.0;
            b.append("<line x1=\"").append(fmt(lo, 1)).append("\" y1=\"").append(fmt(cy, 1)).append("\" x2=\"").append(fmt(hi, 1))
                    .append("\" y2=\"").append(fmt(cy, 1)).append("\" stroke=\"#222\"/>\n");
            for (double x : new double[] {lo, hi}) {
                b.append("<line x1=\"").append(fmt(x, 1)).append("\" y1=\"").append(fmt(cy - 5, 1)).append("\" x2=\"")
                        .append(fmt(x, 1)).append("\" y2=\"").append(fmt(cy + 5, 1)).append("\" stroke=\"#222\"/>\n");
            }
            if (r.ratio().target() != null) {
                double tx = labelW + r.ratio().target() / max * plotW;
                b.append("<line x1=\"").append(fmt(tx, 1)).append("\" y1=\"").append(fmt(y + 1, 1)).append("\" x2=\"")
                        .append(fmt(tx, 1)).append("\" y2=\"").append(fmt(y + rowH - 1, 1))
                        .append("\" stroke=\"#d00\" stroke-width=\"2\"/>\n");
            }
            b.append("<text x=\"").append(fmt(labelW + plotW + 8, 1)).append("\" y=\"").append(fmt(y + 16, 1)).append("\">")
                    .append(fmt(r.value(), 2)).append("×</text>\n");
        }
        b.append("</svg>\n");
        return b.toString();
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
