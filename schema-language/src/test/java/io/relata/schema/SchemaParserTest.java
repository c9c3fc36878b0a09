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
