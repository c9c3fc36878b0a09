package io.relata.engine;

import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelAttributePattern;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelUnknownSet;
import dev.cel.runtime.PartialVars;
import io.relata.schema.CaveatDefinition;
import io.relata.schema.CaveatParameterType;
import io.relata.schema.caveat.CaveatTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates caveats with {@code dev.cel}: the relationship's context merged over the
 * request's, values converted to the parameters' types, parameters that are absent marked
 * unknown so the answer is TRUE, FALSE or UNKNOWN with the names that were missing.
 */
final class CaveatEvaluator {

    private final CelRuntime runtime = CelRuntimeFactory.plannerRuntimeBuilder()
            .addFunctionBindings(
                    CelFunctionBinding.from(CaveatTypes.IN_CIDR_OVERLOAD, IpAddress.class, String.class,
                            IpAddress::inCidr),
                    CelFunctionBinding.from(CaveatTypes.IS_SUBTREE_OF_OVERLOAD, Map.class, Map.class,
                            CaveatEvaluator::isSubtreeOf))
            .build();
    private final Map<CaveatDefinition, CelRuntime.Program> programs = new ConcurrentHashMap<>();

    /** An IP address value; {@code in_cidr} tests network membership. */
    record IpAddress(byte[] address, String text) {

        static IpAddress parse(String text) {
            if (!text.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("`" + text + "` is not an IP address");
            }
            try {
                return new IpAddress(InetAddress.getByName(text).getAddress(), text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("`" + text + "` is not an IP address", e);
            }
        }

        boolean inCidr(String cidr) {
            int slash = cidr.indexOf('/');
            IpAddress network = parse(slash < 0 ? cidr : cidr.substring(0, slash));
            int bits = slash < 0 ? network.address.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            if (network.address.length != address.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((network.address[i / 8] & mask) != (address[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The truth of a relationship's caveat under the request context: TRUE without a
     * caveat, FALSE for a caveat the schema no longer has (fail closed).
     */
    Truth evaluate(io.relata.schema.Schema schema, io.relata.store.Relationship relationship,
            Map<String, Object> requestContext) {
        if (relationship.caveat() == null) {
            return Truth.TRUE;
        }
        CaveatDefinition definition = schema.caveats().get(relationship.caveat().name());
        return definition == null ? Truth.FALSE : evaluate(definition, requestContext, relationship.caveat().context());
    }

    /**
     * Evaluates {@code caveat} with the request context overlaid by the relationship's.
     *
     * @throws EngineException INVALID_ARGUMENT when a context value does not fit its parameter
     *         or the expression fails at run time
     */
    Truth evaluate(CaveatDefinition caveat, Map<String, Object> requestContext, Map<String, Object> relationshipContext) {
        Map<String, Object> merged = new HashMap<>(requestContext);
        merged.putAll(relationshipContext);
        Map<String, Object> values = new LinkedHashMap<>();
        List<CelAttributePattern> unknown = new ArrayList<>();
        for (Map.Entry<String, CaveatParameterType> p : caveat.parameters().entrySet()) {
            if (merged.containsKey(p.getKey()) && merged.get(p.getKey()) != null) {
                values.put(p.getKey(), convert(caveat, p.getKey(), p.getValue(), merged.get(p.getKey())));
            } else {
                unknown.add(CelAttributePattern.create(p.getKey()));
            }
        }
        CelRuntime.Program program = programs.computeIfAbsent(caveat, this::plan);
        Object result;
        try {
            result = program.eval(PartialVars.of(values, unknown.toArray(new CelAttributePattern[0])));
        } catch (CelEvaluationException e) {
            throw new EngineException(EngineException.Reason.INVALID_ARGUMENT,
                    "caveat `" + caveat.name() + "` could not be evaluated: " + e.getMessage(), e);
        }
        if (result instanceof CelUnknownSet set) {
            Set<String> missing = new TreeSet<>();
            set.attributes().forEach(a -> missing.add(a.qualifiers().get(0).asString()));
            return Truth.unknown(missing);
        }
        if (result instanceof Boolean b) {
            return b ? Truth.TRUE : Truth.FALSE;
        }
        throw new EngineException(EngineException.Reason.INVALID_ARGUMENT,
                "caveat `" + caveat.name() + "` did not result in a bool");
    }

    private CelRuntime.Program plan(CaveatDefinition caveat) {
        try {
            return runtime.createProgram(caveat.checkedExpression());
        } catch (CelEvaluationException e) {
            throw new IllegalStateException("caveat `" + caveat.name() + "` cannot be planned", e);
        }
    }

    /**
     * Checks that the values of {@code context} fit the caveat's parameter types (as a
     * relationship's stored context must).
     *
     * @throws EngineException INVALID_ARGUMENT naming the parameter that does not fit, or one the caveat lacks
     */
    static void checkContext(CaveatDefinition caveat, Map<String, Object> context) {
        for (Map.Entry<String, Object> e : context.entrySet()) {
            CaveatParameterType type = caveat.parameters().get(e.getKey());
            if (type == null) {
                throw new EngineException(EngineException.Reason.INVALID_ARGUMENT, "caveat `" + caveat.name()
                        + "` has no parameter `" + e.getKey() + "`; its parameters are " + caveat.parameters().keySet());
            }
            if (e.getValue() != null) {
                convert(caveat, e.getKey(), type, e.getValue());
            }
        }
    }

    private static Object convert(CaveatDefinition caveat, String name, CaveatParameterType type, Object value) {
        try {
            return convert(type, value);
        } catch (RuntimeException e) {
            throw new EngineException(EngineException.Reason.INVALID_ARGUMENT, "caveat `" + caveat.name()
                    + "`: parameter `" + name + "` must be " + type + ", got " + describe(value) + ": " + e.getMessage(), e);
        }
    }

    private static Object convert(CaveatParameterType type, Object value) {
        switch (type.name()) {
            case "int":
            case "uint":
                return integer(value, type.name().equals("uint"));
            case "double":
                if (value instanceof Number n) {
                    return n.doubleValue();
                }
                throw new IllegalArgumentException("not a number");
            case "bool":
                if (value instanceof Boolean b) {
                    return b;
                }
                throw new IllegalArgumentException("not a boolean");
            case "string":
                if (value instanceof String s) {
                    return s;
                }
                throw new IllegalArgumentException("not a string");
            case "bytes":
                if (value instanceof String s) {
                    return CelByteString.of(Base64.getDecoder().decode(s));
                }
                throw new IllegalArgumentException("not a base64 string");
            case "duration":
                if (value instanceof String s) {
                    return duration(s);
                }
                throw new IllegalArgumentException("not a duration string such as \"1h30m\"");
            case "timestamp":
                if (value instanceof String s) {
                    try {
                        return Instant.parse(s);
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("not an RFC 3339 time", e);
                    }
                }
                throw new IllegalArgumentException("not an RFC 3339 time string");
            case "ipaddress":
                if (value instanceof String s) {
                    return IpAddress.parse(s);
                }
                throw new IllegalArgumentException("not an IP address string");
            case "list":
                if (value instanceof List<?> list) {
                    List<Object> out = new ArrayList<>(list.size());
                    for (Object element : list) {
                        out.add(convert(type.arguments().get(0), element));
                    }
                    return out;
                }
                throw new IllegalArgumentException("not a list");
            case "map":
                if (value instanceof Map<?, ?> map) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        out.put(String.valueOf(e.getKey()), convert(type.arguments().get(0), e.getValue()));
                    }
                    return out;
                }
                throw new IllegalArgumentException("not an object");
            default:
                return dynamic(value);
        }
    }

    private static long integer(Object value, boolean unsigned) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long v = ((Number) value).longValue();
            if (unsigned && v < 0) {
                throw new IllegalArgumentException("negative");
            }
            return v;
        }
        if (value instanceof BigInteger b) {
            return b.longValueExact();
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d)) {
                return (long) d;
            }
        }
        throw new IllegalArgumentException("not an integer");
    }

    /** JSON values for `any`: whole numbers as CEL ints, lists and maps converted inside. */
    private static Object dynamic(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CaveatEvaluator::dynamic).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), dynamic(v)));
            return out;
        }
        return value;
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** Go's duration syntax, as SpiceDB reads durations: "1h30m", "1.5s", "300ms", "-2h". */
    static Duration duration(String text) {
        String s = text.strip();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(s);
        int end = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (m.find() && m.start() == end) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unit)));
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw new IllegalArgumentException("`" + text + "` is not a duration such as \"1h30m\"");
        }
        Duration d = Duration.ofNanos(nanos.longValueExact());
        return negative ? d.negated() : d;
    }

    /** SpiceDB's {@code isSubtreeOf}: every key of {@code subtree} is in {@code tree} with an equal value, recursively. */
    static boolean isSubtreeOf(Map<?, ?> subtree, Map<?, ?> tree) {
        for (Map.Entry<?, ?> e : subtree.entrySet()) {
            if (!tree.containsKey(e.getKey())) {
                return false;
            }
            Object other = tree.get(e.getKey());
            if (e.getValue() instanceof Map<?, ?> m && other instanceof Map<?, ?> o) {
                if (!isSubtreeOf(m, o)) {
                    return false;
                }
            } else if (!java.util.Objects.equals(e.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }
}
