package io.epruntime.tests.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PromQL reading to check a dashboard: the metric names a query selects, the label
 * names it matches or groups by, and the values its equality matchers ask for. Function and
 * aggregation names are told apart from metric names by the parenthesis that follows them.
 */
final class PromQl {
  private static final Set<String> KEYWORDS = Set.of(
      "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern MATCHERS = Pattern.compile("\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"\\s*");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  /** Grafana's variables, e.g. {@code $__rate_interval}, {@code ${datasource}}. */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*}?");

  private PromQl() {}

  /** The metric names {@code expr} selects, in order of appearance. */
  static Set<String> metricNames(String expr) {
    String s = VARIABLE.matcher(expr).replaceAll("1m");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    s = STRING.matcher(s).replaceAll(" ");
    Set<String> out = new LinkedHashSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String id = m.group();
      boolean call = s.substring(m.end()).stripLeading().startsWith("(");
      boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!call && !number && !KEYWORDS.contains(id.toLowerCase())) {
        out.add(id);
      }
    }
    return out;
  }

  /** The label names {@code expr} groups by or joins on. */
  static Set<String> groupingLabels(String expr) {
    Set<String> out = new LinkedHashSet<>();
    Matcher g = GROUPING.matcher(expr);
    while (g.find()) {
      for (String label : g.group(1).split(",")) {
        if (!label.isBlank()) {
          out.add(label.strip());
        }
      }
    }
    return out;
  }

  /** Label matchers per selected metric: metric name, label, operator and value, in order. */
  static List<Selector> selectors(String expr) {
    List<Selector> out = new ArrayList<>();
    Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}").matcher(expr);
    while (m.find()) {
      Map<String, String> equal = new LinkedHashMap<>();
      for (String part : m.group(2).split(",")) {
        Matcher one = MATCHER.matcher(part);
        if (!part.isBlank() && one.matches()) {
          equal.put(one.group(1), one.group(2) + one.group(3));
        } else if (!part.isBlank()) {
          throw new IllegalArgumentException("cannot read the label matcher '" + part + "' in " + expr);
        }
      }
      out.add(new Selector(m.group(1), equal));
    }
    return out;
  }

  /** A metric selector's matchers: label name to operator and value, e.g. {@code outcome -> "=ok"}. */
  record Selector(String metric, Map<String, String> matchers) {}
}
