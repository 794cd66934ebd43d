package org.proper.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    private static final Pattern BAR = Pattern.compile("<rect class=\"bar\"");
    /** 4 bucket columns x 9 methods, 2 metrics; 8 clusters; 4 silhouette Ks; 20 entropy bins. */
    private static final int EXPECTED_BARS = 8 + 4 + HtmlReport.ENTROPY_BINS + 2 * 9 * 4;

    @TempDir
    Path temp;

    @Test
    void reportIsSelfContainedWithEveryPlotAndEscapedText() throws IOException {
        String html = HtmlReport.render(ReportFixtures.sample());
        for (String id : List.of("chart-cluster-sizes", "chart-silhouette", "chart-router-entropy", "chart-loss",
                "chart-bucket-0", "chart-bucket-1")) {
            assertTrue(html.contains("id=\"" + id + "\""), "missing " + id);
        }
        assertEquals(EXPECTED_BARS, count(BAR, html));
        assertEquals(3, count(Pattern.compile("<polyline class=\"series\""), html));
        // nothing is fetched: no src/href attributes, no URL other than the SVG namespace
        assertFalse(html.contains("src="), "no src attributes");
        assertFalse(html.contains("href="), "no href attributes");
        assertEquals(html.split("://", -1).length - 1, count(Pattern.compile("xmlns=\"http://www.w3.org/2000/svg\""), html));
        // user text is escaped
        assertTrue(html.contains("PROPER run &lt;demo&gt;"));
        assertTrue(html.contains("3f9a&lt;b&gt;&amp;c"));
        assertFalse(html.contains("<demo>"));
        // the comparison table lists the nine methods, best value marked
        for (String method : Methods.ALL) {
            assertTrue(html.contains("<tr><td>" + method + "</td>"), "row " + method);
        }
        assertTrue(html.contains("<td class=\"best\">"));
        assertTrue(html.contains(">1-4 (n=40)</text>"), "bucket axis labels carry the number of users");
    }

    @Test
    void embeddedJsonCarriesTheMetricRowsAndLossCurves() throws IOException {
        ReportData data = ReportFixtures.sample();
        String html = HtmlReport.render(data);
        Matcher json = Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>",
                Pattern.DOTALL).matcher(html);
        assertTrue(json.find());
        JsonNode root = new ObjectMapper().readTree(json.group(1));
        assertEquals("demo-run", root.get("runId").asText());
        assertEquals(60, root.get("lossCurves").get("population").size());
        assertEquals(data.tables().get(0).toMetricRows().size(), root.get("metrics").size());
        assertEquals(0.31, root.get("silhouette").asDouble(), 1e-12);
        JsonNode entropy = root.get("routerEntropyHistogram");
        assertEquals(400, entropy.get("count").asInt());
        assertEquals(HtmlReport.ENTROPY_BINS, entropy.get("bins").size());
        long total = 0;
        for (JsonNode bin : entropy.get("bins")) {
            total += bin.asLong();
        }
        assertEquals(400, total);
        assertEquals(Math.log(ReportFixtures.GROUPS), entropy.get("max").asDouble(), 1e-12);
    }

    @Test
    void emptyRunStillRendersWithMessagesInsteadOfPlots() {
        ReportData empty = new ReportData("empty", "r0", Map.of(), List.of(), Double.NaN, null, List.of(), Map.of(),
                List.of());
        String html = HtmlReport.render(empty);
        assertEquals(0, count(Pattern.compile("<svg"), html));
        assertTrue(html.contains("No cluster sizes in this run."));
        assertTrue(html.contains("No loss curves in this run."));
        assertTrue(html.contains("unknown"));
    }

    @Test
    void writeReplacesAnExistingReport(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run/report.html");
        HtmlReport.write(ReportFixtures.sample(), file);
        HtmlReport.write(new ReportData("second", "r2", Map.of(), List.of(), Double.NaN, null, List.of(), Map.of(),
                List.of()), file);
        assertTrue(Files.readString(file).contains("<title>second</title>"));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temp files left behind");
        }
    }

    @Test
    void headlessChromiumRendersEveryPlot() throws Exception {
        Path chromium = findChromium();
        assumeTrue(chromium != null, "Skipped: chromium is not installed (apt-get install -y chromium fonts-dejavu-core)");
        Path report = HtmlReport.write(ReportFixtures.sample(), temp.resolve("report.html"));
        Path screenshot = temp.resolve("report.png");

        String dom = runChromium(chromium, List.of("--dump-dom", report.toUri().toString()), null);
        assertEquals(4 + 2, count(Pattern.compile("<svg[^>]*class=\"chart\""), dom), "6 charts in the DOM");
        assertEquals(EXPECTED_BARS, count(BAR, dom));
        assertEquals(3, count(Pattern.compile("<polyline class=\"series\""), dom));

        runChromium(chromium, List.of("--screenshot=" + screenshot, report.toUri().toString()), screenshot);
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertEquals(1200, image.getWidth());
        assertTrue(image.getHeight() >= 2400, "height " + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        int[] paletteHits = new int[Svg.PALETTE.size()];
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                for (int p = 0; p < paletteHits.length; p++) {
                    if (close(rgb, Integer.parseInt(Svg.PALETTE.get(p).substring(1), 16))) {
                        paletteHits[p]++;
                    }
                }
            }
        }
        assertTrue(colours.size() > 200, "rendered page has only " + colours.size() + " colours");
        for (int p = 0; p < 9; p++) { // nine methods -> nine palette colours in the bucket bars
            assertTrue(paletteHits[p] > 50, "palette colour " + Svg.PALETTE.get(p) + " painted on " + paletteHits[p]
                    + " sampled pixels");
        }
    }

    private static boolean close(int a, int b) {
        return Math.abs(((a >> 16) & 255) - ((b >> 16) & 255)) <= 6 && Math.abs(((a >> 8) & 255) - ((b >> 8) & 255)) <= 6
                && Math.abs((a & 255) - (b & 255)) <= 6;
    }

    private String runChromium(Path chromium, List<String> args, Path expectedFile) throws Exception {
        Path profile = Files.createTempDirectory(temp, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile, "--window-size=1200,2400"));
        command.addAll(args);
        Path stdout = temp.resolve("chromium-" + System.nanoTime() + ".out");
        Path stderr = temp.resolve("chromium-" + System.nanoTime() + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(stderr));
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "chromium failed: " + err);
        if (expectedFile != null) {
            assertTrue(Files.size(expectedFile) > 10_000, "screenshot missing or tiny: " + err);
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    private static Path findChromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
