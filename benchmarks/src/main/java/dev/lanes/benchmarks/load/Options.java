package dev.lanes.benchmarks.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} command-line options, with a few named flags that take no value. */
public final class Options {
    private Options() {
    }

    /** {@code --help} is always a flag; {@code flags} names the others. */
    public static Map<String, String> parse(String[] args, String... flags) {
        List<String> valueless = List.of(flags);
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
            String name = args[i].substring(2);
            if (name.equals("help") || valueless.contains(name)) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        return options;
    }
}
