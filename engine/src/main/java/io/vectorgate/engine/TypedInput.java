package io.vectorgate.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import io.vectorgate.engine.plan.Val;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A typed value (the {@code PolicyInput} records) straight into a plan value, with no JSON tree
 * in between: the plan engine's input conversion on every decision.
 *
 * <p>It follows Jackson rather than restating the contract: the properties of a class (names,
 * accessors, whether nulls are left out) are those of the bean serializer {@link ContractJson}'s
 * mapper builds for it, read once per class; enum constants are written by Jackson once. Strings,
 * booleans, integers, lists, string-keyed maps and such beans are converted directly; anything
 * else (a custom serializer, another inclusion rule, a float, a JSON node, a map with a null) goes
 * through Jackson for that value, so the result is always what {@code Val.fromJson(valueToTree(v))}
 * gives ({@code TypedInputProperties} checks this).
 */
final class TypedInput {
  private static final ObjectMapper JSON = ContractJson.mapper();
  private static final ClassValue<Object> PLANS = new ClassValue<>() {
    @Override
    protected Object computeValue(Class<?> type) {
      return plan(type);
    }
  };
  /** Marker plan: convert values of this class through Jackson. */
  private static final Object VIA_JACKSON = new Object();

  /** A nesting deeper than the limit; the caller refuses the input. */
  static final class TooDeep extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooDeep() {
      super(null, null, false, false);
    }
  }

  private TypedInput() {}

  /**
   * One property of a bean: its key, its writer (the accessor), a direct call of the accessor when
   * it is a public method of a public class (else null: the writer reads it, reflectively), and
   * whether a null is left out.
   */
  private record Prop(Val.Str key, BeanPropertyWriter writer, Function<Object, Object> getter, boolean dropNull,
      long keyBytes) {}

  /**
   * An enum's constants as Jackson writes them, and per constant the guard's bytes when it is a
   * scalar without a problem (counted once here), else -1 (walked on every conversion).
   */
  private record EnumPlan(Val[] constants, long[] bytes) {}

  /** A plain bean's properties; for a record, also the last instance converted ({@code last}, else null). */
  private record BeanPlan(Prop[] props, LastHolder last) {}

  /**
   * A record instance converted by a guarded conversion, with its value, the guard's bytes for it
   * and its height (container levels, itself included). Stored only when everything in it is
   * immutable (strings, booleans, integers, enum constants, records of these, and {@code List.of}
   * / {@code Map.of} / {@code copyOf} collections), so the same instance always converts to the
   * same value: the gateway reuses the verified caller's {@code Identity} from its token cache and a
   * connection's facts across requests. A converted value is never changed, so it is shared.
   */
  private record Last(Object source, Val value, long bytes, int height) {}

  /** Per thread (threads converting for different callers do not overwrite each other's). */
  private static final class LastHolder extends ThreadLocal<Last> {}

  /** Collections that cannot change: the JDK's List.of / Map.of / copyOf implementations. */
  private static final ClassValue<Boolean> IMMUTABLE = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return type.getName().startsWith("java.util.ImmutableCollections$");
    }
  };

  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

  /** The accessor of {@code w} as a Function (a plain call once compiled), or null when it is not a public method. */
  @SuppressWarnings("unchecked")
  private static Function<Object, Object> getter(BeanPropertyWriter w) {
    if (!(w.getMember() instanceof AnnotatedMethod am)) {
      return null;
    }
    Method m = am.getAnnotated();
    if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isPublic(m.getDeclaringClass().getModifiers())
        || m.getParameterCount() != 0) {
      return null;
    }
    try {
      MethodHandle h = LOOKUP.unreflect(m);
      return (Function<Object, Object>) LambdaMetafactory.metafactory(LOOKUP, "apply",
          MethodType.methodType(Function.class), MethodType.methodType(Object.class, Object.class), h,
          MethodType.methodType(h.type().wrap().returnType(), m.getDeclaringClass())).getTarget().invokeExact();
    } catch (Throwable e) {
      return null; // the writer reads it, as before
    }
  }

  /** The converted value; {@link TooDeep} when containers nest deeper than {@code maxDepth}. */
  static Val of(Object v, int maxDepth) {
    return convert(v, 0, new Guard(maxDepth, 0, false));
  }

  /** Why the guarded conversion refused an input ({@link InputGuard#checkTree}'s problem). */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient InputGuard.Problem problem;

    Refused(InputGuard.Problem problem) {
      super(null, null, false, false);
      this.problem = problem;
    }
  }

  /**
   * The converted value, guarded in the same walk: the input guard's limits (nesting depth, unpaired
   * surrogates, the UTF-8 size of the compact JSON Jackson would write) are counted as the value is
   * built, in the order Jackson writes it, with {@link InputGuard#checkTree}'s rules and messages;
   * {@link Refused} with its problem as soon as one is met (the rest is not converted).
   */
  static Val checked(Object v, int maxBytes, int maxDepth) {
    Guard g = new Guard(maxDepth, maxBytes, true);
    Val out = convert(v, 0, g);
    if (g.bytes[0] > maxBytes) {
      throw new Refused(InputGuard.tooLarge(g.bytes[0], maxBytes));
    }
    return out;
  }

  /** The limits of one conversion and, when {@code check}, the bytes counted so far. */
  private static final class Guard {
    final int maxDepth;
    final int maxBytes;
    final boolean check;
    final long[] bytes = {0};
    /** The depth of the deepest container converted so far (in the current record), -1 for none. */
    int deepest = -1;
    /** Something in the current record can change after it is converted: it is not stored. */
    boolean mutable;

    Guard(int maxDepth, int maxBytes, boolean check) {
      this.maxDepth = maxDepth;
      this.maxBytes = maxBytes;
      this.check = check;
    }

    /** A value converted some other way (Jackson, an enum constant): walked by the guard as a whole. */
    Val walked(Val v, int depth) {
      mutable = true; // its height is not counted, and a Jackson route may read anything
      if (check) {
        refuse(InputGuard.walkVal(v, depth, maxDepth, bytes, maxBytes));
      }
      return v;
    }

    void container(int depth, int size) {
      deepest = Math.max(deepest, depth);
      if (check) {
        if (depth + 1 > maxDepth) {
          refuse(InputGuard.tooDeep(maxDepth));
        }
        bytes[0] += 2 + Math.max(0, size - 1);
      }
    }

    void key(String k) {
      if (check) {
        refuse(InputGuard.text(k, bytes));
        bytes[0] += 1;
      }
    }

    /** A property name: its bytes (with the colon) counted once when the class was planned. */
    void key(Prop p) {
      bytes[0] += p.keyBytes();
    }

    static void refuse(InputGuard.Problem p) {
      if (p != null) {
        throw new Refused(p);
      }
    }
  }

  private static Val convert(Object v, int depth, Guard g) {
    if (g.check && g.bytes[0] > g.maxBytes) {
      Guard.refuse(InputGuard.overLimit(g.maxBytes));
    }
    if (v == null) {
      g.bytes[0] += 4;
      return Val.NULL;
    }
    if (v instanceof String s) {
      if (g.check) {
        Guard.refuse(InputGuard.text(s, g.bytes));
      }
      return Val.str(s);
    }
    if (v instanceof Boolean b) {
      g.bytes[0] += b ? 4 : 5;
      return Val.bool(b);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      long l = ((Number) v).longValue();
      g.bytes[0] += InputGuard.digits(l);
      return Val.num(l);
    }
    if (depth >= g.maxDepth + 1) {
      throw new TooDeep();
    }
    if (v instanceof List<?> list) {
      if (!IMMUTABLE.get(list.getClass())) {
        g.mutable = true;
      }
      g.container(depth, list.size());
      Val.Arr a = new Val.Arr(list.size());
      for (Object e : list) {
        a.items.add(convert(e, depth + 1, g));
      }
      return a;
    }
    if (v instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String) || e.getValue() == null) {
          return g.walked(viaJackson(v), depth);
        }
      }
      if (!IMMUTABLE.get(map.getClass())) {
        g.mutable = true;
      }
      g.container(depth, map.size());
      Val.Obj o = new Val.Obj();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = (String) e.getKey();
        g.key(k);
        o.map.put(Val.str(k), convert(e.getValue(), depth + 1, g));
      }
      return o;
    }
    Object plan = PLANS.get(v.getClass());
    if (plan instanceof EnumPlan e) {
      int i = ((Enum<?>) v).ordinal();
      long b = e.bytes()[i];
      if (b >= 0) {
        g.bytes[0] += b;
        return e.constants()[i];
      }
      return g.walked(e.constants()[i], depth);
    }
    if (plan instanceof BeanPlan bean) {
      LastHolder h = bean.last();
      Last last = h == null ? null : h.get();
      if (last != null && last.source() == v && depth + last.height() <= g.maxDepth
          && (!g.check || g.bytes[0] + last.bytes() <= g.maxBytes)) {
        // within both limits all the way, as the walk would have been: counted in one step
        g.bytes[0] += last.bytes();
        g.deepest = Math.max(g.deepest, depth + last.height() - 1);
        return last.value();
      }
      long before = g.bytes[0];
      int outerDeepest = g.deepest;
      boolean outerMutable = g.mutable;
      g.deepest = -1;
      g.mutable = false;
      Val o = bean(v, bean.props(), depth, g);
      if (h != null && g.check && !g.mutable) {
        h.set(new Last(v, o, g.bytes[0] - before, g.deepest - depth + 1));
      }
      g.deepest = Math.max(outerDeepest, g.deepest);
      g.mutable |= outerMutable;
      return o;
    }
    return g.walked(viaJackson(v), depth);
  }

  private static Val bean(Object v, Prop[] props, int depth, Guard g) {
    {
      // read first: the object's size (the properties not left out) counts before its members
      Object[] xs = new Object[props.length];
      int size = 0;
      for (int i = 0; i < props.length; i++) {
        Prop p = props[i];
        Object x;
        try {
          x = p.getter() != null ? p.getter().apply(v) : p.writer().get(v);
        } catch (Exception e) {
          throw new IllegalArgumentException("cannot read " + v.getClass().getSimpleName() + "." + p.key().value
              + ": " + e, e);
        }
        xs[i] = x;
        if (x != null || !p.dropNull()) {
          size++;
        }
      }
      g.container(depth, size);
      Val.Obj o = new Val.Obj();
      for (int i = 0; i < props.length; i++) {
        Prop p = props[i];
        if (xs[i] == null && p.dropNull()) {
          continue;
        }
        g.key(p);
        o.map.put(p.key(), convert(xs[i], depth + 1, g));
      }
      return o;
    }
  }

  private static Val viaJackson(Object v) {
    return Val.fromJson(JSON.valueToTree(v));
  }

  /** How values of {@code type} convert: an {@link EnumPlan}, a {@link BeanPlan}, else {@link #VIA_JACKSON}. */
  private static Object plan(Class<?> type) {
    try {
      if (type.isEnum()) {
        Object[] cs = type.getEnumConstants();
        Val[] out = new Val[cs.length];
        long[] bytes = new long[cs.length];
        for (int i = 0; i < cs.length; i++) {
          out[i] = viaJackson(cs[i]);
          long[] b = {0};
          boolean scalar = !(out[i] instanceof Val.Obj || out[i] instanceof Val.Arr || out[i] instanceof Val.SetV);
          bytes[i] = scalar && InputGuard.walkVal(out[i], 0, 1, b, Integer.MAX_VALUE) == null ? b[0] : -1;
        }
        return new EnumPlan(out, bytes);
      }
      JsonSerializer<Object> ser = JSON.getSerializerProviderInstance().findTypedValueSerializer(type, true, null);
      if (ser.getClass() != BeanSerializer.class || ser.isUnwrappingSerializer()) {
        return VIA_JACKSON;
      }
      SerializationConfig cfg = JSON.getSerializationConfig();
      BeanDescription desc = cfg.introspect(JSON.constructType(type));
      if (desc.findAnyGetter() != null || desc.findJsonValueAccessor() != null) {
        return VIA_JACKSON;
      }
      JsonInclude.Include classIncl = desc.findPropertyInclusion(cfg.getDefaultPropertyInclusion(type))
          .getValueInclusion();
      List<Prop> props = new ArrayList<>();
      for (Iterator<PropertyWriter> it = ser.properties(); it.hasNext();) {
        PropertyWriter w = it.next();
        if (w.getClass() != BeanPropertyWriter.class) {
          return VIA_JACKSON;
        }
        BeanPropertyWriter bw = (BeanPropertyWriter) w;
        if (bw.getTypeSerializer() != null || (bw.hasSerializer() && bw.getSerializer().getClass()
            != JSON.getSerializerProviderInstance().findValueSerializer(bw.getType()).getClass())) {
          return VIA_JACKSON; // polymorphic, or a serializer of its own (@JsonSerialize)
        }
        JsonInclude.Include incl = classIncl;
        for (BeanPropertyDefinition d : desc.findProperties()) {
          if (d.getName().equals(bw.getName()) && d.findInclusion() != null
              && d.findInclusion().getValueInclusion() != JsonInclude.Include.USE_DEFAULTS) {
            incl = d.findInclusion().getValueInclusion();
          }
        }
        if (incl != JsonInclude.Include.ALWAYS && incl != JsonInclude.Include.NON_NULL
            && incl != JsonInclude.Include.USE_DEFAULTS) {
          return VIA_JACKSON; // NON_EMPTY, NON_DEFAULT, NON_ABSENT, CUSTOM: Jackson decides
        }
        long[] keyBytes = {1}; // the colon
        if (InputGuard.text(bw.getName(), keyBytes) != null) {
          return VIA_JACKSON; // a name with an unpaired surrogate: refused on every conversion, by the walk
        }
        props.add(new Prop(Val.str(bw.getName().intern()), bw, getter(bw), bw.willSuppressNulls(), keyBytes[0]));
      }
      return new BeanPlan(props.toArray(new Prop[0]), type.isRecord() ? new LastHolder() : null);
    } catch (JsonMappingException e) {
      return VIA_JACKSON;
    }
  }
}
