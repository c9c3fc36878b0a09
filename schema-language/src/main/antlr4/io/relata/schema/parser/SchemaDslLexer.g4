/*
 * Tokens of SpiceDB's schema language.
 *
 * Newlines are significant, as in Go: NewlineSemicolons turns a NEWLINE that ends a
 * statement into a SEMI and drops the others. Comments go to their own channel so the
 * AST builder can attach them to what they document. A caveat's body is CEL, not schema
 * language, so after `caveat name(...)` the opening brace switches to the CEL mode, which
 * takes the body as one CEL_BODY token (braces and string literals inside it balanced).
 */
lexer grammar SchemaDslLexer;

channels { COMMENTS }

@members {
    /** True between the `caveat` keyword and the brace that opens its body. */
    private boolean caveatHeader;
}

// `/**/` is an empty block comment, not a doc comment.
DOC_COMMENT   : '/**' ( ~'/' .*? )? '*/' -> channel(COMMENTS);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(COMMENTS);
LINE_COMMENT  : '//' ~[\r\n]* -> channel(COMMENTS);
// A block comment that never closes: longer than BLOCK_COMMENT only when no `*/` follows.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'*;

DEFINITION : 'definition' { caveatHeader = false; };
CAVEAT     : 'caveat' { caveatHeader = true; };
RELATION   : 'relation';
PERMISSION : 'permission';
NIL        : 'nil';
WITH       : 'with';
// Contextual keywords: they are names everywhere but where the grammar gives them meaning
// (SpiceDB makes `expiration` and `and` keywords under `use expiration`, `self` under `use self`).
USE        : 'use';
IMPORT     : 'import';
PARTIAL    : 'partial';
ANY        : 'any';
ALL        : 'all';
AND        : 'and';
EXPIRATION : 'expiration';
// Relata's extension: `composite` opens a top-level block (a name everywhere else).
COMPOSITE  : 'composite';
WHERE      : 'where';
SELF       : 'self';

ARROW  : '->';
LBRACE : '{' { if (caveatHeader) { caveatHeader = false; pushMode(CEL); } };
RBRACE : '}';
LPAREN : '(';
RPAREN : ')';
LT     : '<';
GT     : '>';
COLON  : ':';
SEMI   : ';';
PIPE   : '|';
HASH   : '#';
STAR   : '*';
PLUS   : '+';
AMP    : '&';
MINUS  : '-';
EQUALS : '=';
COMMA  : ',';
DOT    : '.';
SLASH  : '/';
ELLIPSIS : '...';

STRING : '"' ( ~["\\\r\n] | '\\' . )* '"';

// Names are lexed generously (any letters) and checked against SpiceDB's naming rules
// afterwards, so `viewér` gets "invalid name" rather than "unexpected character".
IDENT : [\p{L}_] [\p{L}\p{N}_]*;
NUMBER : [0-9]+ ( '.' [0-9]+ )?;

NEWLINE : '\r'? '\n' | '\r';
WS      : [ \t\ufeff]+ -> skip;

// Anything else becomes a token the parser never expects, so it is reported in context.
UNEXPECTED_CHAR : .;

mode CEL;

CEL_RBRACE : '}' -> popMode;
// Quotes are only ever part of a whole string literal, so a brace inside a string is text.
CEL_BODY   : ( CEL_STRING | CEL_BRACED | CEL_COMMENT | CEL_TEXT )+;
// A quote that opens no complete string: kept as text, and CEL reports it.
CEL_QUOTE  : ["'];

fragment CEL_BRACED : '{' ( CEL_STRING | CEL_BRACED | CEL_COMMENT | CEL_TEXT )* '}';
// A CEL line comment may hold braces and quotes. It takes its newline, so the lexer cannot
// end it early and read the rest of the line as code.
fragment CEL_COMMENT : '//' ~[\r\n]* [\r\n];
// Anything else; a `/` only where it cannot start a comment.
fragment CEL_TEXT : ~[{}"'/] | '/' ~[/{}"'];
fragment CEL_STRING
    : '"' ( ~["\\\r\n] | '\\' . )* '"'
    | '\'' ( ~['\\\r\n] | '\\' . )* '\''
    ;
