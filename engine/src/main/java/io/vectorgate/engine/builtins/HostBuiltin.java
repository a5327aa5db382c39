package io.vectorgate.engine.builtins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaWasm;
import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Adapts a Java function over {@link RegoValue} arguments to the SDK's raw builtin interface. It
 * reads arguments with {@code opa_value_dump} (not the JSON dump the SDK's helpers use) so sets stay
 * sets and numbers keep their text, and it turns any failure into a {@link BuiltinException} so the
 * evaluation fails instead of returning a made-up value.
 */
final class HostBuiltin implements OpaBuiltin.Builtin {
  static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final int arity;
  private final Function<RegoValue[], JsonNode> fn;

  HostBuiltin(String name, int arity, Function<RegoValue[], JsonNode> fn) {
    this.name = name;
    this.arity = arity;
    this.fn = fn;
  }

  @Override
  public String name() {
    return name;
  }

  int arity() {
    return arity;
  }

  /** Runs the builtin on already-decoded arguments (what the Wasm path does after reading them). */
  JsonNode apply(RegoValue... args) {
    if (args.length != arity) {
      throw new BuiltinException(name, "called with " + args.length + " arguments, expects " + arity);
    }
    try {
      return fn.apply(args);
    } catch (BuiltinException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BuiltinException(name, e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  private int call(OpaWasm wasm, int... addrs) {
    RegoValue[] args = new RegoValue[addrs.length];
    for (int i = 0; i < addrs.length; i++) {
      args[i] = read(wasm, addrs[i]);
    }
    JsonNode result = apply(args);
    try {
      return wasm.writeResult(JSON.writeValueAsString(result));
    } catch (JsonProcessingException e) {
      throw new BuiltinException(name, "cannot serialise the result", e);
    }
  }

  private RegoValue read(OpaWasm wasm, int addr) {
    int dump = wasm.exports().opaValueDump(addr);
    String text;
    try {
      text = wasm.memory().readCString(dump);
    } finally {
      wasm.exports().opaFree(dump);
    }
    try {
      return RegoValue.parseDump(text);
    } catch (IllegalArgumentException e) {
      throw new BuiltinException(name, "cannot read an argument from the guest: " + e.getMessage(), e);
    }
  }

  @Override
  public int asBuiltin0(OpaWasm wasm) {
    return call(wasm);
  }

  @Override
  public int asBuiltin1(OpaWasm wasm, int a) {
    return call(wasm, a);
  }

  @Override
  public int asBuiltin2(OpaWasm wasm, int a, int b) {
    return call(wasm, a, b);
  }

  @Override
  public int asBuiltin3(OpaWasm wasm, int a, int b, int c) {
    return call(wasm, a, b, c);
  }

  @Override
  public int asBuiltin4(OpaWasm wasm, int a, int b, int c, int d) {
    return call(wasm, a, b, c, d);
  }

  // ------------------------------------------------------------ operand helpers (OPA's wording)

  static String string(String builtin, RegoValue v, int pos) {
    if (v instanceof RegoValue.Str s) {
      return s.value();
    }
    throw operandType(builtin, pos, v, "string");
  }

  static RegoValue.Num number(String builtin, RegoValue v, int pos) {
    if (v instanceof RegoValue.Num n) {
      return n;
    }
    throw operandType(builtin, pos, v, "number");
  }

  /** builtins.IntOperand: an int64 literal, also written with a zero fraction (1000.0), but not in exponent form (OPA rejects 1e3). */
  static long integer(String builtin, RegoValue v, int pos) {
    RegoValue.Num n = number(builtin, v, pos);
    String t = n.text();
    if (t.matches("-?[0-9]+\\.0+")) {
      t = t.substring(0, t.indexOf('.'));
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException notInt64) {
      throw new BuiltinException(builtin, "operand " + pos + " must be integer number but got floating-point number");
    }
  }

  static BigDecimal decimal(RegoValue.Num n) {
    return n.decimal();
  }

  static BuiltinException operandType(String builtin, int pos, RegoValue got, String want) {
    return new BuiltinException(builtin, "operand " + pos + " must be " + want + " but got " + got.typeName());
  }
}
