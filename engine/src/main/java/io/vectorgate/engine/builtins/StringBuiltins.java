package io.vectorgate.engine.builtins;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** {@code sprintf} with Go's fmt semantics, plus the hex and digest builtins used for masking. */
final class StringBuiltins {
  private StringBuiltins() {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern BIG_INT = Pattern.compile("[+-]?[0-9]+");

  static List<HostBuiltin> all() {
    return List.of(
        new HostBuiltin("sprintf", 2, a -> NODES.textNode(sprintf(a[0], a[1]))),
        new HostBuiltin("hex.encode", 1, a -> NODES.textNode(
            HexFormat.of().formatHex(HostBuiltin.string("hex.encode", a[0], 1).getBytes(StandardCharsets.UTF_8)))),
        digest("crypto.md5", "MD5"),
        digest("crypto.sha1", "SHA-1"),
        digest("crypto.sha256", "SHA-256"));
  }

  private static HostBuiltin digest(String name, String algorithm) {
    return new HostBuiltin(name, 1, a -> {
      byte[] in = HostBuiltin.string(name, a[0], 1).getBytes(StandardCharsets.UTF_8);
      try {
        return NODES.textNode(HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(in)));
      } catch (NoSuchAlgorithmException e) {
        throw new BuiltinException(name, "the JVM has no " + algorithm, e);
      }
    });
  }

  /** OPA's sprintf: converts each array element the way topdown does, then formats with Go's rules. */
  static String sprintf(RegoValue format, RegoValue args) {
    String f = HostBuiltin.string("sprintf", format, 1);
    if (!(args instanceof RegoValue.Arr arr)) {
      throw HostBuiltin.operandType("sprintf", 2, args, "array");
    }
    List<Object> goArgs = new ArrayList<>(arr.items().size());
    for (RegoValue v : arr.items()) {
      goArgs.add(goArg(v));
    }
    return GoFmt.sprintf(f, goArgs);
  }

  /** int64 if the text is an int64 literal, else *big.Int if an integer literal, else float64 if finite, else the text. */
  static Object goArg(RegoValue v) {
    if (v instanceof RegoValue.Str s) {
      return s.value();
    }
    if (v instanceof RegoValue.Num n) {
      String t = n.text();
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException notInt64) {
        if (BIG_INT.matcher(t).matches()) {
          return new BigInteger(t);
        }
        double d = Double.parseDouble(t);
        if (Double.isInfinite(d)) {
          return t;
        }
        return d;
      }
    }
    return v.toRego();
  }
}
