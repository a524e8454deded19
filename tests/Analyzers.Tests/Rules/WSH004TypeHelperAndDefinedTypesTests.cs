using System.Threading.Tasks;
using Broken = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH004: your own helper around <c>Type.GetType(name)</c>/<c>Assembly.GetType(name)</c> called with a literal naming a
    /// non-public System.Net.WebSockets type (and the type it returns followed), and a <c>foreach</c> over
    /// <c>assembly.DefinedTypes</c> comparing the loop variable's name; members picked out of a list by a <c>const</c>, by
    /// <c>nameof</c>, or (out of a list of non-public members only) by a part of the name.
    /// </summary>
    public class WSH004TypeHelperAndDefinedTypesTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Reflection;
";

        // ---- type-name helpers ----

        [Fact]
        public Task A_type_name_helper_called_with_an_internal_WebSockets_type_is_reported() => Verify.VerifyAsync(Usings + @"
static class Runtime
{
    public static bool TypeExists(string name) => typeof(WebSocket).Assembly.GetType(name) != null;

    public static Type? FindType(string assemblyQualifiedName)
    {
        var type = Type.GetType(assemblyQualifiedName, throwOnError: false);
        return type;
    }
}

class C
{
    bool Supported() => {|WSH004:Runtime.TypeExists(""System.Net.WebSockets.ManagedWebSocket"")|};

    ConstructorInfo? Build()
    {
        Type? managed = {|WSH004:Runtime.FindType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"")|};
        return managed?{|WSH004:.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null)|};
    }
}");

        [Fact]
        public Task A_type_name_helper_called_with_a_public_or_other_type_name_or_a_helper_that_does_not_look_the_name_up_is_silent() => Verify.VerifyAsync(Usings + @"
static class Runtime
{
    public static bool TypeExists(string name) => typeof(WebSocket).Assembly.GetType(name) != null;

    public static Type? FindType(string name) => Type.GetType(name);

    public static void Log(string message) => Console.WriteLine(message);

    public static bool IsWebSocketType(Type type, string prefix) => type.FullName?.StartsWith(prefix) == true;
}

class C
{
    void M()
    {
        bool stream = Runtime.TypeExists(""System.Net.WebSockets.WebSocketStream"");
        bool mine = Runtime.TypeExists(""MyApp.Transport"");
        Runtime.Log(""System.Net.WebSockets.ManagedWebSocket is used"");
        bool named = Runtime.IsWebSocketType(typeof(C), ""System.Net.WebSockets.ManagedWebSocket"");
        var state = Runtime.FindType(""System.Net.WebSockets.WebSocketState"")?.GetField(""Open"");
    }
}");

        [Fact]
        public Task Type_name_helpers_and_DefinedTypes_loops_typed_halfway_throw_nothing() =>
            Broken.AssertNoExceptionOnTruncationsAsync(Usings + @"
static class Runtime
{
    public static bool TypeExists(string name) => typeof(WebSocket).Assembly.GetType(name) != null;
    public static Type? FindType(string name) { return Type.GetType(name, false); }
}

class C
{
    bool Supported() => Runtime.TypeExists(""System.Net.WebSockets.ManagedWebSocket"");
    object? Build() => Runtime.FindType(@""System.Net.WebSockets.ManagedWebSocket"")?.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null);
    static Type? Find()
    {
        foreach (var t in typeof(WebSocket).Assembly.DefinedTypes)
            if (t.Name == ""ManagedWebSocket"") return t;
        return null;
    }
}", step: 7);

        // ---- member list picks not by one literal ----

        [Fact]
        public Task A_pick_by_a_const_by_nameof_or_by_a_name_part_out_of_a_non_public_list_is_followed() => Verify.VerifyAsync(Usings + @"
class C
{
    const string Inner = ""_innerWebSocket"";

    static object? ByConst(ClientWebSocket ws)
    {
        var inner = {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|}.First(f => f.Name == Inner).GetValue(ws)!;
        return {|WSH004:inner.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }

    static object? ByNameof(ClientWebSocket ws)
    {
        var options = typeof(ClientWebSocket).GetProperties().First(p => p.Name == nameof(ClientWebSocket.Options)).GetValue(ws)!;
        return {|WSH004:options.GetType().GetField(""_requestHeaders"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }

    static object? ByPrefix(ClientWebSocket ws)
    {
        var field = {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|}.First(f => f.Name.StartsWith(""_inner""));
        var inner = field.GetValue(ws)!;
        return {|WSH004:inner.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }

    static object? BySuffix(WebSocket ws)
    {
        var inner = {|WSH004:ws.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|}.Where(f => f.Name.EndsWith(""Stream"")).First().GetValue(ws)!;
        return {|WSH004:inner.GetType().GetMethod(""Flush"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }
}");

        [Fact]
        public Task A_pick_by_a_name_part_out_of_a_list_that_may_hold_public_members_is_not_followed() => Verify.VerifyAsync(Usings + @"
class C
{
    static object? Mixed(ClientWebSocket ws)
    {
        var value = {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)|}.First(f => f.Name.StartsWith(""_inner"")).GetValue(ws)!;
        return value.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance);
    }

    static object? PublicOnly(ClientWebSocket ws)
    {
        var value = typeof(ClientWebSocket).GetProperties().First(p => p.Name.StartsWith(""Opt"")).GetValue(ws)!;
        return value.GetType().GetField(""_requestHeaders"", BindingFlags.NonPublic | BindingFlags.Instance);
    }

    static object? TwoTests(ClientWebSocket ws)
    {
        var value = {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|}.First(f => f.Name.StartsWith(""_a"") || f.Name.StartsWith(""_b"")).GetValue(ws)!;
        return value.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance);
    }
}");

        // ---- foreach over DefinedTypes ----

        [Fact]
        public Task A_loop_over_DefinedTypes_comparing_the_name_is_reported_and_the_type_followed() => Verify.VerifyAsync(Usings + @"
class C
{
    static ConstructorInfo? Build()
    {
        foreach (var t in {|WSH004:typeof(WebSocket).Assembly.DefinedTypes|})
        {
            if (t.Name == ""ManagedWebSocket"")
            {
                return {|WSH004:t.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null)|};
            }
        }

        return null;
    }

    static TypeInfo? AnyAssembly(Assembly any)
    {
        foreach (TypeInfo t in {|WSH004:any.DefinedTypes|})
        {
            if (t.FullName is ""System.Net.WebSockets.WebSocketHandle"") return t;
        }

        return null;
    }
}");

        [Fact]
        public Task Loops_over_DefinedTypes_for_public_or_own_types_are_silent() => Verify.VerifyAsync(Usings + @"
class ManagedWebSocket { }

class C
{
    static Type? Own()
    {
        foreach (var t in typeof(C).Assembly.DefinedTypes)
        {
            if (t.Name == ""ManagedWebSocket"") return t;
        }

        return null;
    }

    static Type? Public()
    {
        foreach (var t in typeof(WebSocket).Assembly.DefinedTypes)
        {
            if (t.Name == ""ClientWebSocket"") return t;
        }

        return null;
    }

    static int Count()
    {
        int n = 0;
        foreach (var t in typeof(WebSocket).Assembly.DefinedTypes)
        {
            if (t.IsPublic) n++;
        }

        Console.WriteLine(""counted"");
        return n;
    }
}");
    }
}
