package io.relata.schema.caveat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.relata.schema.CaveatParameterType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the caveat expression compiler: for any expression over
 * parameters of every caveat type, {@link CaveatExpressions#check} answers problems (never
 * throws), each problem inside the expression; an accepted expression has a bool result, is
 * written back by {@link CaveatExpressions#unparse} and that text is accepted again.
 *
 * <p>Seeds: {@code src/test/resources/io/relata/schema/caveat/CaveatExpressionsFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes (see the module README).
 */
class CaveatExpressionsFuzzTest {

    static final int MAX_INPUT_BYTES = 4 * 1024;

    /**
     * A double the unparser writes as cel-go's does, in shortest {@code %g} with {@code .0}
     * appended: {@code 1e+10.0}, {@code +Inf.0}, {@code NaN.0} do not parse again (see
     * {@link CaveatExpressions#unparse}).
     */
    private static final java.util.regex.Pattern SPICEDB_DOUBLE =
            java.util.regex.Pattern.compile("\\de[+-]\\d+\\.0|Inf\\.0|NaN\\.0");

    /** One parameter of each type, named as the seeds use them. */
    static final Map<String, CaveatParameterType> PARAMETERS = parameters();

    private static Map<String, CaveatParameterType> parameters() {
        Map<String, CaveatParameterType> p = new LinkedHashMap<>();
        String[][] simple = {{"i", "int"}, {"u", "uint"}, {"b", "bool"}, {"s", "string"}, {"d", "double"},
            {"by", "bytes"}, {"du", "duration"}, {"ts", "timestamp"}, {"ip", "ipaddress"}, {"a", "any"}};
        for (String[] parameter : simple) {
            p.put(parameter[0], CaveatParameterType.of(parameter[1]));
        }
        p.put("li", new CaveatParameterType("list", List.of(CaveatParameterType.of("int"))));
        p.put("ls", new CaveatParameterType("list", List.of(CaveatParameterType.of("string"))));
        p.put("ma", new CaveatParameterType("map", List.of(CaveatParameterType.of("any"))));
        p.put("ms", new CaveatParameterType("map", List.of(CaveatParameterType.of("string"))));
        return Map.copyOf(p);
    }

    @FuzzTest(maxDuration = "3m")
    void check_neverThrows_problemsInsideTheExpression(byte[] data) {
        String expression = new String(data, 0, Math.min(data.length, MAX_INPUT_BYTES), StandardCharsets.UTF_8);
        CaveatExpressions.Checked checked = CaveatExpressions.check(expression, PARAMETERS);

        String[] lines = expression.split("\n", -1);
        for (CaveatExpressions.Problem problem : checked.problems()) {
            assertThat(problem.message()).isNotBlank();
            assertThat(problem.line()).as("line of %s", problem.message()).isBetween(1, lines.length);
            String line = lines[problem.line() - 1];
            assertThat(problem.column()).as("column of %s", problem.message())
                    .isBetween(0, line.codePointCount(0, line.length()));
        }
        if (checked.ok()) {
            assertThat(checked.ast()).isNotNull();
            assertThat(PARAMETERS.keySet()).containsAll(checked.referencedParameters());
            String written = CaveatExpressions.unparse(expression);
            if (SPICEDB_DOUBLE.matcher(written).find()) {
                return; // written as SpiceDB writes it (`1e+10.0`), which CEL does not read back
            }
            CaveatExpressions.Checked again = CaveatExpressions.check(written, PARAMETERS);
            assertThat(again.problems()).as("written back as %s", written).isEmpty();
            assertThat(again.referencedParameters()).isEqualTo(checked.referencedParameters());
        }
    }
}
