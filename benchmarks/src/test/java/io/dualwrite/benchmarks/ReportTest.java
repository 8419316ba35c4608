package io.dualwrite.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    private final Report report = new Report(List.of(
            new Report.Score("A.raw", 100, 2, "us/op"),
            new Report.Score("A.dw", 110, 1.1, "us/op"),
            new Report.Score("A.fast", 99, 1, "us/op")));

    private final List<Report.Ratio> ratios = List.of(
            new Report.Ratio("g", "dw / raw", "A.dw", "A.raw", 1.05, "≤ 1.05×"),
            new Report.Ratio("g", "fast / raw", "A.fast", "A.raw", 1.02, "≤ 1.02×"),
            new Report.Ratio("g", "report only", "A.raw", "A.fast", null, null),
            new Report.Ratio("g", "close", "A.fast", "A.raw", 1.0, "≤ 1.0×"),
            new Report.Ratio("g", "missing <score>", "A.nope", "A.raw", 1.0, "≤ 1×"));

    @Test
    void ratiosCarryCombinedErrorAndSkipMissingScores() {
        List<Report.Row> rows = report.rows(ratios);
        assertThat(rows).hasSize(4);
        Report.Row first = rows.get(0);
        assertThat(first.value()).isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
        // 1.1 * sqrt(0.01^2 + 0.02^2)
        assertThat(first.error()).isCloseTo(1.1 * Math.sqrt(0.0001 + 0.0004), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(first.missed()).isTrue();
        assertThat(rows.get(1).missed()).isFalse();
        assertThat(rows.get(2).missed()).isFalse();
    }

    @Test
    void markdownSaysByHowMuchATargetIsMissed() {
        String md = report.ratioTable(report.rows(ratios));
        assertThat(md).startsWith("| group | comparison |");
        assertThat(md).contains("| g | dw / raw | 1.100× ± 0.025 | ≤ 1.05× | **missed by +4.8%** |");
        assertThat(md).contains("| g | fast / raw | 0.990× ± 0.022 | ≤ 1.02× | met |");
        assertThat(md).contains("| report | — |");
        assertThat(md).contains("| g | close | 0.990× ± 0.022 | ≤ 1.0× | met (within error) |");
    }

    @Test
    void absoluteFiguresSubtractTheBaseline() {
        String md = report.absoluteTable(List.of(
                new Report.Absolute("delta", "A.dw", "A.raw", 5, "≤ 5 µs"),
                new Report.Absolute("alone", "A.fast", null, 50, "≤ 50 µs")));
        assertThat(md).contains("| delta | 10.000 ± 2.283 us/op | ≤ 5 µs | **missed by 5.000 us/op** |");
        assertThat(md).contains("| alone | 99.000 ± 1.000 us/op | ≤ 50 µs | **missed by 49.000 us/op** |");
    }

    @Test
    void svgGridStaysReadableForLargeRatios() {
        Report big = new Report(List.of(new Report.Score("B.dw", 2400, 10, "us/op"), new Report.Score("B.raw", 100, 1, "us/op")));
        String svg = big.svg(big.rows(List.of(new Report.Ratio("g", "batch", "B.dw", "B.raw", null, null))), "t");
        assertThat(svg.split("text-anchor=\"middle\"", -1).length - 1).isBetween(3, 12);
        assertThat(svg).contains(">1.00</text>").contains("24.00×");
    }

    @Test
    void svgIsWellFormedAndEscapesLabels() throws Exception {
        List<Report.Ratio> withEscapes = List.of(new Report.Ratio("a&b", "x <y>", "A.dw", "A.raw", 1.05, "≤ 1.05×"));
        String svg = report.svg(report.rows(withEscapes), "title \"q\"");
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        assertThat(svg).contains("a&amp;b: x &lt;y&gt;").contains("1.10×").contains("stroke=\"#d00\"");
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
