package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A generated schema of more than 5,000 lines compiles. (How fast is measured by the
 * benchmarks, not here.)
 */
class LargeSchemaTest {

    static String generate(int definitions) {
        StringBuilder out = new StringBuilder("definition user {}\n\n");
        out.append("caveat on_network(ip ipaddress, network string) {\n  ip.in_cidr(network)\n}\n\n");
        for (int i = 0; i < definitions; i++) {
            String parent = i == 0 ? "resource_0" : "resource_" + (i - 1);
            out.append("/** Resource type number ").append(i).append(". */\n");
            out.append("definition resource_").append(i).append(" {\n");
            out.append("  relation parent: ").append(parent).append('\n');
            out.append("  relation owner: user\n");
            out.append("  relation editor: user | user with on_network\n");
            out.append("  relation viewer: user | user:* | resource_").append(i).append("#member\n");
            out.append("  relation member: user\n");
            out.append("  relation banned: user\n");
            out.append("  permission admin = owner + parent->admin\n");
            out.append("  permission edit = (editor + admin) - banned\n");
            out.append("  permission view = (viewer + edit + member + parent.any(view)) - banned\n");
            out.append("  permission audit = view & parent.all(admin)\n");
            out.append("}\n\n");
        }
        return out.toString();
    }

    @Test
    void fiveThousandLineSchema_compiles() {
        String schema = generate(400);
        long lines = schema.lines().count();

        Compilation compilation = SchemaCompiler.compile(schema);

        assertThat(lines).isGreaterThan(5_000);
        assertThat(compilation.errors()).isEmpty();
        assertThat(compilation.orThrow().definitions()).hasSize(401);
        assertThat(SchemaFormatter.format(schema)).isEqualTo(SchemaFormatter.format(SchemaFormatter.format(schema)));
    }
}
