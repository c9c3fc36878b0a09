package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchemaFormatterTest {

    @Test
    void messySchema_isPrintedInTheCanonicalLayout() {
        String messy = """
                use expiration
                // who is who
                definition   user   {}
                /** A document. */
                definition document{
                  relation parent:folder
                    relation viewer:user|user:*|group#member with is_adult and expiration
                  relation editor: user with expiration ; // editors
                  /** may view */
                  permission view=viewer+(editor-parent->banned)&parent.all(view)
                  permission edit = ((editor))
                }
                definition folder {
                  relation banned: user
                  relation viewer: user
                  permission view = viewer
                }
                definition group { relation member: user
                }
                caveat is_adult(age int, country string) {
                      age >= 18 &&
                        country != "xx"
                }
                """;

        String formatted = SchemaFormatter.format(messy);

        assertThat(formatted).isEqualTo("""
                use expiration

                // who is who
                definition user {}

                /** A document. */
                definition document {
                \trelation parent: folder
                \trelation viewer: user | user:* | group#member with is_adult and expiration
                \trelation editor: user with expiration // editors

                \t/** may view */
                \tpermission view = (viewer + (editor - parent->banned)) & parent.all(view)
                \tpermission edit = editor
                }

                definition folder {
                \trelation banned: user
                \trelation viewer: user
                \tpermission view = viewer
                }

                definition group {
                \trelation member: user
                }

                caveat is_adult(age int, country string) {
                \tage >= 18 &&
                \t  country != "xx"
                }
                """);
        assertThat(SchemaCompiler.compile(formatted).errors()).isEmpty();
    }

    @Test
    void precedence_isKeptWithParentheses() {
        String schema = """
                definition user {}
                definition doc {
                  relation aaa: user
                  relation bbb: user
                  relation ccc: user
                  permission one = aaa - bbb + ccc
                  permission two = aaa + bbb & ccc
                  permission three = aaa - bbb - ccc
                  permission four = aaa + (bbb + ccc)
                }
                """;

        String formatted = SchemaFormatter.format(schema);

        assertThat(formatted)
                .contains("permission one = aaa - (bbb + ccc)")
                .contains("permission two = (aaa + bbb) & ccc")
                .contains("permission three = aaa - bbb - ccc")
                .contains("permission four = aaa + (bbb + ccc)");
    }

    @Test
    void comments_areKeptWhereTheyWereAttached() {
        String schema = """
                /** The people. */
                definition user {} // trailing

                definition doc {
                  // before the relation
                  relation viewer: user /* after it */

                  // closing the body
                }
                // end of file""";

        String formatted = SchemaFormatter.format(schema);

        assertThat(formatted).isEqualTo("""
                /** The people. */
                definition user {} // trailing

                definition doc {
                \t// before the relation
                \trelation viewer: user /* after it */

                \t// closing the body
                }

                // end of file
                """);
    }

    @Test
    void syntaxErrors_refuseToFormat() {
        assertThatThrownBy(() -> SchemaFormatter.format("definition user {"))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("1:18");
    }

    @Test
    void emptySchema_formatsToNothing() {
        assertThat(SchemaFormatter.format("\n\n  \n")).isEmpty();
    }
}
