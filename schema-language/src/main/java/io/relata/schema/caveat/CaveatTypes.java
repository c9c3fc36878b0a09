package io.relata.schema.caveat;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import io.relata.schema.CaveatParameterType;
import java.util.List;
import java.util.Map;

/**
 * The caveat parameter types SpiceDB allows, and the CEL type each is declared as.
 *
 * <p>As in SpiceDB, {@code uint} is declared to CEL as {@code int} (values are converted when
 * a caveat is evaluated), so {@code count < 10u} does not type-check there or here, and
 * {@code map<T>} is a map with string keys.
 */
public final class CaveatTypes {

    /** The opaque type of IP addresses; its one method is {@code in_cidr(string) -> bool}. */
    public static final OpaqueType IPADDRESS = OpaqueType.create("ipaddress");

    /** CEL overload id of {@code ipaddress.in_cidr(string)}, for runtime bindings. */
    public static final String IN_CIDR_OVERLOAD = "ipaddress_in_cidr_string";

    static final CelFunctionDecl IN_CIDR = CelFunctionDecl.newFunctionDeclaration("in_cidr",
            CelOverloadDecl.newMemberOverload(IN_CIDR_OVERLOAD, SimpleType.BOOL, IPADDRESS, SimpleType.STRING));

    /** CEL overload id of {@code map<any>.isSubtreeOf(map<any>)}, for runtime bindings. */
    public static final String IS_SUBTREE_OF_OVERLOAD = "map_is_subtree_of_map";

    /** SpiceDB's {@code isSubtreeOf}: every key of the receiver is in the argument, recursively, with equal values. */
    static final CelFunctionDecl IS_SUBTREE_OF = CelFunctionDecl.newFunctionDeclaration("isSubtreeOf",
            CelOverloadDecl.newMemberOverload(IS_SUBTREE_OF_OVERLOAD, SimpleType.BOOL,
                    MapType.create(SimpleType.STRING, SimpleType.DYN), MapType.create(SimpleType.STRING, SimpleType.DYN)));

    private static final Map<String, CelType> SIMPLE = Map.ofEntries(
            Map.entry("int", SimpleType.INT),
            Map.entry("uint", SimpleType.INT),
            Map.entry("bool", SimpleType.BOOL),
            Map.entry("string", SimpleType.STRING),
            Map.entry("double", SimpleType.DOUBLE),
            Map.entry("bytes", SimpleType.BYTES),
            Map.entry("duration", SimpleType.DURATION),
            Map.entry("timestamp", SimpleType.TIMESTAMP),
            Map.entry("ipaddress", IPADDRESS),
            Map.entry("any", SimpleType.DYN));

    private static final Map<String, Integer> GENERIC = Map.of("list", 1, "map", 1);

    /** Every type name, in the order error messages list them. */
    public static final List<String> NAMES = List.of("int", "uint", "bool", "string", "double", "bytes", "duration",
            "timestamp", "list<T>", "map<T>", "ipaddress", "any");

    private CaveatTypes() {}

    /**
     * What is wrong with {@code type}, or null when SpiceDB allows it: an unknown name, or
     * the wrong number of type arguments.
     */
    public static String problem(CaveatParameterType type) {
        String name = type.name();
        Integer arity = GENERIC.get(name);
        if (arity == null && !SIMPLE.containsKey(name)) {
            return "unknown type `" + name + "`; caveat parameter types are " + String.join(", ", NAMES);
        }
        int expected = arity == null ? 0 : arity;
        if (type.arguments().size() != expected) {
            return expected == 0
                    ? "type `" + name + "` takes no type arguments"
                    : "type `" + name + "` takes " + expected + " type argument (`" + name + "<T>`), found "
                            + type.arguments().size();
        }
        for (CaveatParameterType argument : type.arguments()) {
            String problem = problem(argument);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** The CEL type of a valid parameter type. */
    public static CelType celType(CaveatParameterType type) {
        switch (type.name()) {
            case "list":
                return ListType.create(celType(type.arguments().get(0)));
            case "map":
                return MapType.create(SimpleType.STRING, celType(type.arguments().get(0)));
            default:
                CelType simple = SIMPLE.get(type.name());
                if (simple == null) {
                    throw new IllegalArgumentException("not a caveat parameter type: " + type);
                }
                return simple;
        }
    }
}
