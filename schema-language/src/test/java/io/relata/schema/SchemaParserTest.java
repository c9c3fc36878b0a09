package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.schema.ast.Comment;
import io.relata.schema.ast.DefinitionNode;
import io.relata.schema.ast.PermissionNode;
import io.relata.schema.ast.RelationNode;
import io.relata.schema.ast.SchemaFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Syntax: newlines, comments and the shapes SpiceDB accepts. */
class SchemaParserTest {

    @Test
    void newlineAfterAnOperator_continuesTheExpression() {
        SchemaCompiler.Parsed parsed = SchemaCompiler.parse("""
                definition user {}
                definition doc {
                    relation aaa: user |
                        user:*
                    permission view =
                        aaa +
                        aaa
                }
                """);

        assertThat(parsed.errors()).isEmpty();
        RelationNode relation = (RelationNode) definition(parsed.file(), 1).members().get(0);
        assertThat(relation.types()).hasSize(2);
    }

    @Test
    void newlineBeforeAClosingParenthesis_endsTheStatement() {
        SchemaCompiler.Parsed parsed = SchemaCompiler.parse("""
                definition doc {
                    relation aaa: doc
                    permission view = (aaa
                    )
                }
                """);

        assertThat(parsed.errors()).first().satisfies(d -> {
            assertThat(d.line() + ":" + d.column()).isEqualTo("3:27");
            assertThat(d.message()).startsWith("unexpected end of line; expected `)`");
        });
    }

    @Test
    void windowsLineEndings_andSemicolons_areAccepted() {
        String schema = "definition user {}\r\n\r\ndefinition doc {\r\n  relation aaa: user;\r\n  permission view = aaa;\r\n}\r\n";

        assertThat(SchemaCompiler.compile(schema).errors()).isEmpty();
    }

    @Test
    void docComments_attachToWhatTheyDocument() {
        SchemaFile file = SchemaCompiler.parse("""
                /** People. */
                definition user {}

                definition doc {
                    /**
                     * Who may read.
                     * Includes editors.
                     */
                    relation reader: user // readers
                    permission view = reader
                }
                """).file();

        DefinitionNode user = definition(file, 0);
        assertThat(user.comments().doc()).isEqualTo("People.");
        RelationNode reader = (RelationNode) definition(file, 1).members().get(0);
        assertThat(reader.comments().doc()).isEqualTo("Who may read.\nIncludes editors.");
        assertThat(reader.comments().trailing()).extracting(Comment::text).containsExactly("// readers");
        PermissionNode view = (PermissionNode) definition(file, 1).members().get(1);
        assertThat(view.comments().isEmpty()).isTrue();
    }

    @Test
    void comments_writtenBeforeAnElement_areItsComments_asSpiceDbAttachesThem() {
        Schema schema = SchemaCompiler.compile("""
                // A header comment goes to the first definition.
                /** People. */
                definition user {} // trailing: kept by no one

                definition doc {
                    /*
                       Who may read,
                         indented.
                     */
                    // and a line comment
                    relation reader: user | // inside the relation: not its comment
                        user:*
                    permission view = reader /* inside the permission */ + reader
                }

                /** Only here. */
                caveat c(x int) {
                    // in the body: not the caveat's
                    x > 1
                }
                """).orThrow();

        ObjectDefinition doc = schema.definition("doc").orElseThrow();
        assertThat(schema.definition("user").orElseThrow().comments())
                .containsExactly("// A header comment goes to the first definition.", "/** People. */");
        assertThat(doc.comments()).isEmpty();
        assertThat(doc.relation("reader").orElseThrow().comments())
                .containsExactly("/*\nWho may read,\nindented.\n*/", "// and a line comment");
        assertThat(doc.permission("view").orElseThrow().comments()).isEmpty();
        assertThat(schema.caveat("c").orElseThrow().comments()).containsExactly("/** Only here. */");
        // The doc is the text of the doc comments alone, wherever they were claimed.
        assertThat(schema.definition("user").orElseThrow().doc()).isEqualTo("People.");
    }

    @Test
    void caveatExpressions_unparse_asCelGoWritesThemBack() {
        java.util.function.UnaryOperator<String> unparse = io.relata.schema.caveat.CaveatExpressions::unparse;

        assertThat(unparse.apply("a   ==1&&( b|| !c )")).isEqualTo("a == 1 && (b || !c)");
        assertThat(unparse.apply("(a + b) * c - (d - e) > -f && !(g || h) ? x[0] : m['k'].size()"))
                .isEqualTo("((a + b) * c - (d - e) > -f && !(g || h)) ? (x[0]) : m[\"k\"].size()");
        // Comments and layout go; macros are written as called.
        assertThat(unparse.apply("""
                allowed.exists(n,
                    ip.in_cidr(n)) // a comment
                  && 'x' in tags && has(m.f)""")).isEqualTo("allowed.exists(n, ip.in_cidr(n)) && \"x\" in tags && has(m.f)");
        // Literals as Go writes them: strconv.Quote, shortest %g (with cel-go's ".0"), octal bytes, u.
        assertThat(unparse.apply("s == 'tab\\t\\u00e9\\u00a0\"' && d == 1e10 && e == 0.00001 && f == 2.50"
                + " && g == 100.0 && b == b'ab' && u == 7u")).isEqualTo("s == \"tab\\t\u00e9\\u00a0\\\"\" &&"
                + " d == 1e+10.0 && e == 1e-05.0 && f == 2.5 && g == 100.0 &&\nb == b\"\\141\\142\" && u == 7u");
        // A line that reaches 80 bytes with an && or || (76 written, plus the operator's 4) ends after it.
        assertThat(unparse.apply("first_parameter == 1 && second_parameter == \"two\" && third_parameter < 3.0"
                + " || fourth_parameter")).doesNotContain("\n");
        assertThat(unparse.apply("first_parameter == 1 && second_parameter == \"two\" && third_parameter_x < 3.0"
                + " || fourth_parameter")).isEqualTo("first_parameter == 1 && second_parameter == \"two\" &&"
                + " third_parameter_x < 3.0 ||\nfourth_parameter");
    }

    @Test
    void keywordsUnderFlags_areNamesWithoutTheFlag() {
        Compilation c = SchemaCompiler.compile("""
                definition user {}
                definition doc {
                    relation expiration: user
                    relation self: user
                    relation any: user
                    relation use: user
                    permission all = expiration + self + any + use
                }
                """);

        assertThat(c.errors()).isEmpty();
    }

    @Test
    void ellipsisSubjectRelation_meansThePlainObject() {
        Schema schema = SchemaCompiler.compile("""
                definition user {}
                definition team {}
                definition doc {
                    relation viewer: user#...;
                    relation editor: team#... | user
                }
                """).orThrow();

        assertThat(schema.definition("doc").orElseThrow().relation("viewer").orElseThrow().allowedTypes())
                .extracting(t -> t.subject().toString()).containsExactly("user");
        assertThat(schema.definition("doc").orElseThrow().relation("editor").orElseThrow().allowedTypes())
                .extracting(t -> t.subject().toString()).containsExactly("team", "user");
    }

    /** Bodies SpiceDB accepts around the closing brace; {@link InvalidSchemasTest} has those it refuses. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("closingBraces")
    void closingBrace_acceptedWhereSpiceDbAcceptsIt(String name, String schema) {
        assertThat(SchemaCompiler.compile(schema).errors()).as(schema).isEmpty();
    }

    static Stream<Arguments> closingBraces() {
        String user = "definition user {}\n";
        return Stream.of(
                Arguments.of("emptyBody", "definition user {}"),
                Arguments.of("emptyBodyWithASpace", "definition user { }"),
                Arguments.of("emptyBodyOverTwoLines", "definition user {\n}"),
                Arguments.of("emptyBodyWithAComment", "definition user {\n  // nothing yet\n}"),
                Arguments.of("twoEmptyDefinitionsOnOneLine", "definition user {} definition team {}"),
                Arguments.of("semicolonBeforeTheBrace", user + "definition doc { relation viewer: user; }"),
                Arguments.of("semicolonRightBeforeTheBrace", user + "definition doc {\n  relation viewer: user;}"),
                Arguments.of("lineCommentBeforeTheBrace", user + "definition doc {\n  relation viewer: user // who\n}"),
                Arguments.of("blockCommentOnItsOwnLine", user + "definition doc {\n  relation viewer: user\n"
                        + "  /* the end */\n}"),
                Arguments.of("blankLinesBeforeTheBrace", user + "definition doc {\n  relation viewer: user\n\n\n}"),
                Arguments.of("braceAtTheEndOfTheFile", user + "definition doc {\n  relation viewer: user\n}"),
                Arguments.of("caveatOnOneLine", "caveat over(a int) { a > 1 }\n" + user),
                Arguments.of("caveatOnOneLineThenADefinition", "caveat over(a int) { a > 1 } definition user {}"),
                Arguments.of("ellipsisThenSemicolon", user + "definition doc {\n  relation viewer: user#...;\n}"),
                Arguments.of("ellipsisThenPipe", user + "definition doc {\n  relation viewer: user#... | user:*\n}"),
                Arguments.of("ellipsisThenCaveat", "caveat over(a int) { a > 1 }\n" + user
                        + "definition doc {\n  relation viewer: user#... with over\n}"));
    }

    @Test
    void caveatBody_mayHoldBracesAndStrings() {
        Compilation c = SchemaCompiler.compile("""
                caveat tagged(tags map<string>, wanted string) {
                    tags == {"a": "}"} || "{" + wanted == "{x" || 'it\\'s{' == wanted
                }
                """);

        assertThat(c.errors()).isEmpty();
        assertThat(c.orThrow().caveat("tagged").orElseThrow().expression())
                .isEqualTo("tags == {\"a\": \"}\"} || \"{\" + wanted == \"{x\" || 'it\\'s{' == wanted");
    }

    @Test
    void celErrorOnALaterLine_isPlacedOnThatLineOfTheFile() {
        Compilation c = SchemaCompiler.compile("""
                definition user {}

                caveat window(age int, name string) {
                    age > 1 &&
                      name > 3
                }
                """);

        assertThat(c.errors()).singleElement().satisfies(d -> {
            assertThat(d.line() + ":" + d.column()).isEqualTo("5:12");
            assertThat(d.sourceLine()).isEqualTo("      name > 3");
        });
    }

    private static DefinitionNode definition(SchemaFile file, int index) {
        return (DefinitionNode) file.items().get(index);
    }
}
