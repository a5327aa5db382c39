// The Vectorgate policy language. One file = one policy. See docs/dsl.md for the semantics.
grammar VectorgatePolicy;

policyFile : header statement* EOF ;

header : POLICY STRING VERSION INT ;

statement
    : TIMEZONE STRING                                                             # timezoneStmt
    | ROLE IDENT '=' condition                                                    # roleStmt
    | effect=(ALLOW | DENY) actions target? subjects? guards reason?              # accessStmt
    | REQUIRE count=INT? (APPROVAL | APPROVALS) FROM groupRef (',' groupRef)*
          (EXPIRES AFTER DURATION)? FOR actions target? guards reason?            # approvalStmt
    | MASK fieldRef (',' fieldRef)* (USING method=ident)? target? guards reason?  # maskStmt
    | STRIP VECTORS target? guards reason?                                        # stripStmt
    | FILTER ROWS column=fieldName rowOp rowValue target? guards given=reason?
          (ELSE DENY missing=reason)?                                             # rowFilterStmt
    | CAP LIMIT max=INT (OR DENY)? target? guards reason?                         # capStmt
    | AUDIT (LABEL labelPair (',' labelPair)*)? (WITHOUT PAYLOADS)? (WITH VECTORS)?
          target? guards reason?                                                  # auditStmt
    ;

actions  : ANY ACTION | IDENT (',' IDENT)* ;
target   : ON ANY COLLECTION | ON COLLECTION STRING (',' STRING)* ;
subjects : FOR ANYONE | FOR IDENT (',' IDENT)* ;
guards   : (WHEN whenCond=condition)? (UNLESS unlessCond=condition)? ;
reason   : REASON code=STRING message=STRING? ;
groupRef : GROUP STRING ;
labelPair : STRING '=' STRING ;

fieldRef  : fieldName ('.' fieldName)* ;
fieldName : ident | STRING ;

rowOp    : '==' | '!=' | IN | NOT IN ;
rowValue : literal | list | path ;

condition : andCond (OR andCond)* ;
andCond   : notCond (AND notCond)* ;
notCond   : NOT notCond | atom ;
atom
    : '(' condition ')'                                   # parenAtom
    | GROUP STRING                                        # groupAtom
    | TIME BETWEEN from=CLOCK AND to=CLOCK                # timeAtom
    | WEEKDAY IN '[' IDENT (',' IDENT)* ']'               # weekdayAtom
    | operand cmpOp operand                               # compareAtom
    | operand NOT? IN list                                # inAtom
    | path                                                # truthAtom
    ;

cmpOp   : '==' | '!=' | '<' | '<=' | '>' | '>=' ;
operand : path | literal ;
path    : ident ('.' ident)* ;
list    : '[' (literal (',' literal)*)? ']' ;
literal : STRING | '-'? INT | TRUE | FALSE ;

// Words that are keywords in statements but may still name a field or an attribute.
ident : IDENT | FILTER | VECTORS | LIMIT | ROWS | ACTION | COLLECTION | LABEL | PAYLOADS
      | APPROVAL | VERSION | POLICY | ROLE | CAP | AUDIT | STRIP | MASK ;

POLICY : 'policy' ; VERSION : 'version' ; TIMEZONE : 'timezone' ; ROLE : 'role' ;
ALLOW : 'allow' ; DENY : 'deny' ; REQUIRE : 'require' ; APPROVAL : 'approval' ;
APPROVALS : 'approvals' ; FROM : 'from' ; EXPIRES : 'expires' ; AFTER : 'after' ;
FOR : 'for' ; ANY : 'any' ; ANYONE : 'anyone' ; ACTION : 'action' ; ON : 'on' ;
COLLECTION : 'collection' ; WHEN : 'when' ; UNLESS : 'unless' ; REASON : 'reason' ;
MASK : 'mask' ; USING : 'using' ; STRIP : 'strip' ; VECTORS : 'vectors' ; FILTER : 'filter' ;
ROWS : 'rows' ; CAP : 'cap' ; LIMIT : 'limit' ; AUDIT : 'audit' ; LABEL : 'label' ;
WITHOUT : 'without' ; WITH : 'with' ; PAYLOADS : 'payloads' ; GROUP : 'group' ;
AND : 'and' ; OR : 'or' ; NOT : 'not' ; IN : 'in' ; BETWEEN : 'between' ; TIME : 'time' ;
WEEKDAY : 'weekday' ; ELSE : 'else' ; TRUE : 'true' ; FALSE : 'false' ;

CLOCK    : [0-9] [0-9] ':' [0-9] [0-9] ;
DURATION : [0-9]+ [smhd] ;
INT      : [0-9]+ ;
STRING   : '"' (~["\\\r\n] | '\\' ["\\nt])* '"' ;
IDENT    : [a-zA-Z_] [a-zA-Z0-9_]* ;
COMMENT  : '#' ~[\r\n]* -> channel(HIDDEN) ;
WS       : [ \t\r\n]+ -> skip ;
// Anything else becomes a token the parser rejects with a diagnostic, never a lexer crash.
ERROR_CHAR : . ;
