package io.relata.schema;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The type of a caveat parameter as SpiceDB names it: {@code int}, {@code uint},
 * {@code bool}, {@code string}, {@code double}, {@code bytes}, {@code duration},
 * {@code timestamp}, {@code ipaddress}, {@code any}, {@code list<T>} or {@code map<T>}
 * (string keys).
 */
public record CaveatParameterType(String name, List<CaveatParameterType> arguments) {

    public CaveatParameterType {
        arguments = List.copyOf(arguments);
    }

    public static CaveatParameterType of(String name) {
        return new CaveatParameterType(name, List.of());
    }

    @Override
    public String toString() {
        if (arguments.isEmpty()) {
            return name;
        }
        return name + arguments.stream().map(CaveatParameterType::toString).collect(Collectors.joining(", ", "<", ">"));
    }
}
