package io.relata.engine;

import io.relata.store.ErrorInfo;
import io.relata.store.ErrorReason;
import com.google.common.net.InetAddresses;
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
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * An IP address value as SpiceDB reads it (Go's {@code netip.ParseAddr}): an IPv4 or IPv6
     * literal, an IPv6 one optionally with a {@code %zone}. {@code in_cidr} tests network
     * membership as {@code netip.Prefix.Contains} does; two values are equal when they are the
     * same address with the same zone.
     */
    record IpAddress(byte[] address, String zone, String text) {

        /** What address literals are written with; anything else (`localhost`, digits other than ASCII) is refused before parsing. */
        private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");
        /** Prefix lengths as {@code netip.ParsePrefix} takes them: decimal, no sign, no leading zero. */
        private static final Pattern BITS = Pattern.compile("0|[1-9][0-9]{0,2}");

        /**
         * Reads {@code text} as an address literal; it is never looked up as a host name, so
         * {@code cafe} or {@code example.com} are refused like any other text that is not an
         * address. IPv4 literals have four decimal parts without leading zeros ({@code 1.2.3} and
         * {@code 01.2.3.4} are refused); {@code ::ffff:1.2.3.4} stays an IPv6 address.
         *
         * @throws IllegalArgumentException when {@code text} is not an IP address literal
         */
        static IpAddress parse(String text) {
            int percent = text.indexOf('%');
            String literal = percent < 0 ? text : text.substring(0, percent);
            String zone = percent < 0 ? null : text.substring(percent + 1);
            boolean ipv6 = literal.indexOf(':') >= 0;
            if (!LITERAL.matcher(literal).matches() || (zone != null && (zone.isEmpty() || !ipv6))) {
                throw new IllegalArgumentException("`" + text + "` is not an IP address");
            }
            byte[] bytes;
            try {
                // Guava reads literals only; it never resolves names.
                bytes = InetAddresses.forString(literal).getAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("`" + text + "` is not an IP address", e);
            }
            if (ipv6 && bytes.length == 4) {
                // InetAddress turns an IPv4-mapped IPv6 address into its IPv4 address; SpiceDB does not.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                bytes = mapped;
            }
            return new IpAddress(bytes, zone, text);
        }

        /**
         * True when this address is in {@code cidr} ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). An
         * IPv4 address is in no IPv6 network and the other way round (an IPv4-mapped IPv6 address
         * too), and an address with a zone is in none.
         *
         * @throws IllegalArgumentException when {@code cidr} is not an address, `/` and a prefix length
         */
        boolean inCidr(String cidr) {
            int slash = cidr.lastIndexOf('/');
            IpAddress network;
            try {
                network = slash < 0 ? null : parse(cidr.substring(0, slash));
            } catch (IllegalArgumentException e) {
                network = null;
            }
            String bits = slash < 0 ? "" : cidr.substring(slash + 1);
            if (network == null || network.zone != null || !BITS.matcher(bits).matches()
                    || Integer.parseInt(bits) > network.address.length * 8) {
                throw new IllegalArgumentException("`" + cidr + "` is not a network such as \"10.0.0.0/8\"");
            }
            if (zone != null || network.address.length != address.length) {
                return false;
            }
            int length = Integer.parseInt(bits);
            for (int i = 0; i < length; i++) {
                int mask = 0x80 >> (i % 8);
                if ((network.address[i / 8] & mask) != (address[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof IpAddress ip && Arrays.equals(address, ip.address)
                    && java.util.Objects.equals(zone, ip.zone);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address) * 31 + java.util.Objects.hashCode(zone);
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
            Map<String, Object> requestContext, long deadlineNanos) {
        if (relationship.caveat() == null) {
            return Truth.TRUE;
        }
        CaveatDefinition definition = schema.caveats().get(relationship.caveat().name());
        return definition == null ? Truth.FALSE
                : evaluate(definition, requestContext, relationship.caveat().context(), deadlineNanos);
    }

    /** {@link #evaluate(CaveatDefinition, Map, Map, long)} without a deadline. */
    Truth evaluate(CaveatDefinition caveat, Map<String, Object> requestContext, Map<String, Object> relationshipContext) {
        return evaluate(caveat, requestContext, relationshipContext, Long.MAX_VALUE);
    }

    /**
     * Evaluates {@code caveat} with the request context overlaid by the relationship's, within
     * {@link CaveatBudget#MAX_COST} units of work and the request's deadline.
     *
     * @param deadlineNanos  {@link System#nanoTime()} past which the evaluation stops
     * @throws EngineException INVALID_ARGUMENT when a context value does not fit its parameter,
     *         the expression fails at run time or needs more work than its budget;
     *         DEADLINE_EXCEEDED when the request's deadline passes during the evaluation
     */
    Truth evaluate(CaveatDefinition caveat, Map<String, Object> requestContext, Map<String, Object> relationshipContext,
            long deadlineNanos) {
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
        CaveatBudget budget = new CaveatBudget(CaveatBudget.MAX_COST, deadlineNanos);
        try {
            result = program.trace(PartialVars.of(values, unknown.toArray(new CelAttributePattern[0])), budget);
        } catch (CaveatBudget.Stopped e) {
            throw stopped(caveat, e);
        } catch (CelEvaluationException e) {
            CaveatBudget.Stopped stop = stoppedCause(e);
            if (stop != null) {
                throw stopped(caveat, stop);
            }
            throw new EngineException(EngineException.Reason.INVALID_ARGUMENT,
                    "caveat `" + caveat.name() + "` could not be evaluated: " + e.getMessage() + refusal(e), e,
                    ErrorInfo.of(ErrorReason.CAVEAT_EVALUATION_ERROR, "caveat_name", caveat.name()));
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
                "caveat `" + caveat.name() + "` did not result in a bool",
                ErrorInfo.of(ErrorReason.CAVEAT_EVALUATION_ERROR, "caveat_name", caveat.name()));
    }

    private static CaveatBudget.Stopped stoppedCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CaveatBudget.Stopped s) {
                return s;
            }
        }
        return null;
    }

    private static EngineException stopped(CaveatDefinition caveat, CaveatBudget.Stopped stop) {
        if (stop.reason == CaveatBudget.Reason.COST) {
            return new EngineException(EngineException.Reason.INVALID_ARGUMENT, "caveat `" + caveat.name()
                    + "` was stopped: evaluating it needs more than " + CaveatBudget.MAX_COST + " units of work, its"
                    + " budget (each expression evaluated is one unit, plus the size of the lists, maps and strings"
                    + " it makes); write the caveat to do less work, or give it less context",
                    ErrorInfo.of(ErrorReason.CAVEAT_EVALUATION_ERROR, "caveat_name", caveat.name()));
        }
        return new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "caveat `" + caveat.name()
                + "` was stopped: " + (stop.reason == CaveatBudget.Reason.DEADLINE
                        ? "the request ran past its deadline while evaluating it" : "the request was cancelled"));
    }

    /** Why a function of ours refused its arguments (`in_cidr` with a network that is not one), or "". */
    private static String refusal(CelEvaluationException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException) {
                return ": " + cause.getMessage();
            }
        }
        return "";
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
                    + "`: parameter `" + name + "` must be " + type + ", got " + describe(value) + ": " + e.getMessage(), e,
                    ErrorInfo.of(ErrorReason.CAVEAT_PARAMETER_TYPE_ERROR, "caveat_name", caveat.name(),
                            "parameter_name", name));
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
