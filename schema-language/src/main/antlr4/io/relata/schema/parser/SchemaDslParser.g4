/*
 * Grammar of SpiceDB's schema language. Statements end at a SEMI, which is either a
 * written `;` or a newline that NewlineSemicolons kept because it ends a statement.
 *
 * Operator precedence mirrors SpiceDB: `+` binds tighter than `&`, which binds tighter
 * than `-`; all three are left-associative (`a - b + c` is `a - (b + c)`).
 */
parser grammar SchemaDslParser;

options { tokenVocab = SchemaDslLexer; }

schema
    : SEMI* ( topLevel SEMI* )* EOF
    ;

topLevel
    : useDirective
    | importDirective
    | definition
    | caveat
    | composite
    ;

useDirective
    : USE name
    ;

importDirective
    : IMPORT STRING
    ;

// Every member ends with a SEMI, the last one too: as in SpiceDB, `}` does not end a statement,
// so `{ relation viewer: user }` on one line is refused. An empty body (`{}`) needs none.
definition
    : DEFINITION typePath LBRACE SEMI* ( member SEMI+ )* RBRACE
    ;

member
    : relation
    | permission
    ;

relation
    : RELATION name COLON allowedType ( PIPE allowedType )*
    ;

// `type#...` is SpiceDB's old spelling of a plain `type`.
allowedType
    : typePath ( COLON STAR | HASH ( name | ELLIPSIS ) )? ( WITH traits )?
    ;

traits
    : EXPIRATION                        # expirationOnly
    | typePath ( AND EXPIRATION )?      # caveatTrait
    ;

permission
    : PERMISSION name EQUALS expr
    ;

expr
    : expr PLUS expr                                        # unionExpr
    | expr AMP expr                                         # intersectionExpr
    | expr MINUS expr                                       # exclusionExpr
    | LPAREN expr RPAREN                                    # parenExpr
    | NIL                                                   # nilExpr
    | SELF                                                  # selfExpr
    | name ARROW name ( ARROW name )*                       # arrowExpr
    | name DOT arrowFunction LPAREN name RPAREN             # arrowFunctionExpr
    | name                                                  # referenceExpr
    ;

arrowFunction
    : ANY
    | ALL
    ;

// Relata's extension (SpiceDB has no such block): a chain of principals, optionally how each
// link is bound to the one before it, and for each permission asked of the chain on a resource
// type, the permission each link must hold there.
//   composite job_token = ci_job > user where ci_job#triggered_by {
//       permission project#read_packages = job_read_packages > read_packages
//   }
composite
    : COMPOSITE name EQUALS typePath ( GT typePath )+ ( WHERE binding ( COMMA binding )* )?
      LBRACE SEMI* ( compositeRule SEMI+ )* RBRACE
    ;

binding
    : typePath HASH name
    ;

compositeRule
    : PERMISSION typePath HASH name EQUALS name ( GT name )*
    ;

caveat
    : CAVEAT typePath LPAREN ( parameter ( COMMA parameter )* )? RPAREN LBRACE celBody CEL_RBRACE
    ;

celBody
    : ( CEL_BODY | CEL_QUOTE )*
    ;

parameter
    : name typeExpr
    ;

typeExpr
    : name ( LT typeExpr ( COMMA typeExpr )* GT )?
    ;

typePath
    : name ( SLASH name )*
    ;

// Words that are keywords only in some places (or only under a `use` flag) are names elsewhere.
name
    : IDENT
    | USE
    | IMPORT
    | PARTIAL
    | ANY
    | ALL
    | AND
    | EXPIRATION
    | SELF
    | COMPOSITE
    | WHERE
    ;
