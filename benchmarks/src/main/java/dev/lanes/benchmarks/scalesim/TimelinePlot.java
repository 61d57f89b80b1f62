package dev.lanes.benchmarks.scalesim;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Draws the timeline as a PNG: load, replicas, queue length against target, p99 latency. */
final class TimelinePlot {
    private static final int WIDTH = 1200;
    private static final int PANEL = 230;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;

    private TimelinePlot() {
    }

    static void write(List<Timeline.Second> seconds, double target, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, PANEL * 4 + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        panel(g, 0, "requests/s: offered (grey), answered 200 (blue), rejected 503 (red)", seconds, 0,
                new Series(Timeline.Second::offered, Color.GRAY), new Series(s -> s.ok(), Color.BLUE),
                new Series(s -> s.rejected(), Color.RED));
        panel(g, 1, "replicas: desired by the HPA (orange), ready (green)", seconds, 0,
                new Series(s -> s.desired(), Color.ORANGE), new Series(s -> s.ready(), new Color(0, 140, 0)));
        panel(g, 2, "inference_queue_length per pod: average (blue), max (grey), target " + target + " (red)",
                seconds, target, new Series(Timeline.Second::queueAverage, Color.BLUE),
                new Series(Timeline.Second::queueMax, Color.GRAY), new Series(s -> target, Color.RED));
        panel(g, 3, "p99 latency of answered requests (ms)", seconds, 0, new Series(Timeline.Second::p99Millis, Color.MAGENTA));
        g.setColor(Color.BLACK);
        g.drawString("seconds", WIDTH / 2, PANEL * 4 + 30);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private record Series(ToDoubleFunction<Timeline.Second> value, Color color) {
    }

    private static void panel(Graphics2D g, int index, String title, List<Timeline.Second> seconds, double floorMax,
                              Series... series) {
        int top = index * PANEL + 20;
        int height = PANEL - 45;
        double max = floorMax;
        for (Series s : series) {
            for (Timeline.Second second : seconds) {
                max = Math.max(max, s.value().applyAsDouble(second));
            }
        }
        max = max <= 0 ? 1 : max * 1.1;
        int plotWidth = WIDTH - LEFT - RIGHT;
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, top);
        g.drawRect(LEFT, top + 8, plotWidth, height);
        g.drawString(String.format("%.0f", max), 8, top + 20);
        g.drawString("0", 8, top + 8 + height);
        int n = Math.max(1, seconds.size() - 1);
        for (int tick = 0; tick <= seconds.size(); tick += 30) {
            int x = LEFT + tick * plotWidth / n;
            g.drawString(Integer.toString(tick), x - 8, top + height + 22);
        }
        g.setStroke(new BasicStroke(2f));
        for (Series s : series) {
            g.setColor(s.color());
            for (int i = 1; i < seconds.size(); i++) {
                int x0 = LEFT + (i - 1) * plotWidth / n;
                int x1 = LEFT + i * plotWidth / n;
                int y0 = top + 8 + height - (int) (s.value().applyAsDouble(seconds.get(i - 1)) / max * height);
                int y1 = top + 8 + height - (int) (s.value().applyAsDouble(seconds.get(i)) / max * height);
                g.drawLine(x0, y0, x1, y1);
            }
        }
        g.setStroke(new BasicStroke(1f));
    }
}
