package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Relata's {@code composite} blocks: compiled into {@link Composite}, refused with positioned
 * errors, formatted, and absent from (and harmless to) every SpiceDB schema. {@code «} marks
 * where the first error must point.
 */
class CompositeSchemaTest {

    private static final String BASE = """
            definition user {}
            definition ci_job {
                relation triggered_by: user
            }
            definition project {
                relation developer: user
                relation job_push: ci_job
                permission push = developer
                permission job_can_push = job_push
            }
            """;

    @Test
    void composite_compilesToItsChainAndRules() {
        Schema schema = SchemaCompiler.compile(BASE + """
                /** A job acting with its triggering user's rights. */
                composite job_token = ci_job > user where ci_job#triggered_by {
                    permission project#push = job_can_push > push
                    permission project#read = job_push > developer
                }
                """).orThrow();
        Composite c = schema.composites().get("job_token");
        assertThat(c.chain()).containsExactly("ci_job", "user");
        assertThat(c.binding(1)).contains("triggered_by");
        assertThat(c.binding(0)).isEmpty();
        assertThat(c.links("project", "push")).contains(List.of("job_can_push", "push"));
        assertThat(c.links("project", "read")).contains(List.of("job_push", "developer"));
        assertThat(c.links("project", "delete")).isEmpty();
        assertThat(c.doc()).isEqualTo("A job acting with its triggering user's rights.");
        assertThat(schema.compositeFor(List.of("ci_job", "user"))).contains(c);
        assertThat(schema.compositeFor(List.of("user", "ci_job"))).isEmpty();
    }

    @Test
    void spiceDbSchema_hasNoComposites_andCompositeStaysAName() {
        Schema schema = SchemaCompiler.compile("""
                definition user {}
                definition composite {
                    relation composite: user
                    permission view = composite
                }
                """).orThrow();
        assertThat(schema.composites()).isEmpty();
        assertThat(schema.definition("composite").orElseThrow().has("composite")).isTrue();
    }

    @Test
    void format_printsCompositesCanonically_andReparsesToTheSameTree() {
        String text = BASE + "composite job_token=ci_job>user where ci_job#triggered_by{\n// pushing\npermission project#push=job_can_push>push\n}\n";
        String formatted = SchemaFormatter.format(text);
        assertThat(formatted).contains("composite job_token = ci_job > user where ci_job#triggered_by {\n\t// pushing\n"
                + "\tpermission project#push = job_can_push > push\n}");
        assertThat(SchemaFormatter.format(formatted)).isEqualTo(formatted);
        assertThat(SchemaCompiler.parse(formatted).file()).isEqualTo(SchemaCompiler.parse(text).file());
        assertThat(SchemaCompiler.compile(formatted).orThrow()).isEqualTo(SchemaCompiler.compile(text).orThrow());
    }

    @Test
    void withoutComposites_leavesTheSpiceDbSchema() {
        String text = BASE + "composite job_token = ci_job > user {\n    permission project#push = job_can_push > push\n}\n";
        String spicedb = SchemaFormatter.withoutComposites(text);
        assertThat(spicedb).doesNotContain("composite");
        assertThat(SchemaCompiler.compile(spicedb).orThrow().definitions())
                .isEqualTo(SchemaCompiler.compile(text).orThrow().definitions());
    }

    record Case(String schema, String message) {}

    private static Arguments bad(String name, String composite, String message) {
        return Arguments.of(Named.of(name, new Case(BASE + composite, message)));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                bad("unknownChainType", "composite tok = ci_job > «usr {\n}\n", "there is no definition `usr` (did you mean `user`?)"),
                bad("unknownResourceType", "composite tok = ci_job > user {\n    permission «projet#push = job_can_push > push\n}\n",
                        "there is no definition `projet`"),
                bad("unknownLinkPermission", "composite tok = ci_job > user {\n    permission project#push = job_can_push > «pusj\n}\n",
                        "`project` has no relation or permission `pusj` (did you mean `push`?)"),
                bad("tooFewLinks", "composite tok = ci_job > user {\n    permission project#push = «job_can_push\n}\n",
                        "names 1 permission, but the chain `ci_job > user` has 2 links"),
                bad("linkTypeCanNeverHoldIt", "composite tok = ci_job > user {\n    permission project#push = «push > push\n}\n",
                        "no `ci_job` can ever hold `project#push`"),
                bad("duplicateRule", "composite tok = ci_job > user {\n    permission project#push = job_can_push > push\n"
                        + "    permission project#«push = job_push > push\n}\n", "already has a rule for `project#push`"),
                bad("sameChainTwice", "composite one = ci_job > user {\n}\ncomposite «two = ci_job > user {\n}\n",
                        "has the chain `ci_job > user` of `one` (line 11)"),
                bad("duplicateName", "composite one = ci_job > user {\n}\ncomposite «one = user > ci_job {\n}\n",
                        "composite `one` is already declared on line 11"),
                bad("bindingTypeNotInChain", "composite tok = ci_job > user where «project#developer {\n}\n",
                        "names `project`, which is not in the chain `ci_job > user`"),
                bad("bindingOnLastLink", "composite tok = ci_job > user where «user#x {\n}\n", "is the last link of the chain"),
                bad("bindingUnknownRelation", "composite tok = ci_job > user where ci_job#«triggerd_by {\n}\n",
                        "`ci_job` has no relation or permission `triggerd_by` (did you mean `triggered_by`?)"),
                bad("bindingNextCanNeverBeIt", "composite tok = ci_job > project where ci_job#«triggered_by {\n}\n",
                        "no `project` can ever be `ci_job#triggered_by`"),
                bad("singleLinkChain", "composite tok = user «{\n}\n", "expected `>`"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void badComposite_isRefusedWithLineAndColumn(Case c) {
        int mark = c.schema().indexOf('«');
        String before = c.schema().substring(0, mark);
        int line = before.split("\n", -1).length;
        int column = mark - before.lastIndexOf('\n');
        Compilation compilation = SchemaCompiler.compile(c.schema().replace("«", ""));
        assertThat(compilation.ok()).isFalse();
        Diagnostic first = compilation.errors().get(0);
        assertThat(first.message()).as(compilation.report("schema.zed")).contains(c.message());
        assertThat(first.line() + ":" + first.column()).as(compilation.report("schema.zed")).isEqualTo(line + ":" + column);
    }
}
