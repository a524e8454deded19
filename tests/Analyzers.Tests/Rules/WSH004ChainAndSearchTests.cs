using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>WSH004: chains through values read by reflection, searches of GetTypes(), and files that never spell "WebSocket".</summary>
    public class WSH004ChainAndSearchTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Reflection;
using System.Threading.Tasks;
";

        // ---- files that never spell "WebSocket" ----

        [Fact]
        public async Task GetType_of_a_WebSocket_from_another_file_is_reported_in_a_file_that_never_names_it()
        {
            await Verify.VerifyAsync(new[]
            {
                @"
using System.IO;
using System.Reflection;
using System.Threading.Tasks;

class Tunnel
{
    async Task<Stream> StealAsync()
    {
        var ws = await Connector.ConnectAsync();
        var f = {|WSH004:ws.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|};
        object held = ws;
        var g = {|WSH004:held.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|};
        var state = ws.GetType().GetProperty(""State"");
        return (Stream)f!.GetValue(ws)!;
    }
}",
                @"
using System.Net.WebSockets;
using System.Threading.Tasks;

static class Connector
{
    public static Task<WebSocket> ConnectAsync() => Task.FromResult<WebSocket>(new ClientWebSocket());
}",
            });
        }

        [Fact]
        public async Task Reflection_on_other_types_in_a_file_that_never_names_WebSocket_is_silent()
        {
            await Verify.VerifyAsync(@"
using System.IO;
using System.Reflection;

class C
{
    static object? M(MemoryStream ms, object o)
    {
        var a = ms.GetType().GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance);
        var b = o.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
        var value = typeof(MemoryStream).GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(ms)!;
        return value.GetType().GetField(""_x"", BindingFlags.NonPublic | BindingFlags.Instance);
    }
}");
        }

        // ---- chains: field.GetValue(x).GetType() ----

        [Fact]
        public async Task Every_hop_of_a_chain_rooted_in_a_WebSockets_lookup_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static readonly FieldInfo? s_inner = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};

    static Stream Steal(ClientWebSocket ws)
    {
        object handle = s_inner!.GetValue(ws)!;
        FieldInfo inner = {|WSH004:handle.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!;
        var managed = inner.GetValue(handle);
        var stream = managed?{|WSH004:.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(managed);
        return (Stream)stream!;
    }

    static object? Property(ClientWebSocket ws)
    {
        var handle = {|WSH004:typeof(ClientWebSocket).GetProperty(""ConnectedWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(ws)!;
        return {|WSH004:handle.GetType().GetField(""_stream"")|}?.GetValue(handle);
    }

    static object? InvokeMember(ClientWebSocket ws)
    {
        object handle = {|WSH004:typeof(ClientWebSocket).InvokeMember(""_innerWebSocket"", BindingFlags.GetField | BindingFlags.NonPublic | BindingFlags.Instance, null, ws, null)|}!;
        return {|WSH004:handle.GetType().GetRuntimeFields()|}.First(f => f.Name == ""_webSocket"").GetValue(handle);
    }
}");
        }

        [Fact]
        public async Task Public_lookups_on_a_value_of_a_chain_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(ClientWebSocket ws)
    {
        var handle = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(ws)!;
        var a = handle.GetType().GetProperty(""State"");
        var b = handle.GetType().GetFields();
        var c = handle.GetType().GetMethod(""ToString"");
        var d = handle.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance);
    }
}");
        }

        [Fact]
        public async Task A_public_member_is_followed_only_into_a_WebSockets_type()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(ClientWebSocket ws)
    {
        var options = typeof(ClientWebSocket).GetProperty(""Options"")!.GetValue(ws)!;
        var a = {|#0:options.GetType().GetField(""_keepAliveInterval"", BindingFlags.NonPublic | BindingFlags.Instance)|};
        var b = options.GetType().GetProperty(""KeepAliveInterval"");
        var text = typeof(WebSocket).GetProperty(""CloseStatusDescription"")!.GetValue(ws)!;
        var c = text.GetType().GetField(""_firstChar"", BindingFlags.NonPublic | BindingFlags.Instance);
    }
}",
                Verify.Diagnostic("WSH004").WithLocation(0).WithArguments("'GetField(\"_keepAliveInterval\")' on 'ClientWebSocketOptions'"));
        }

        [Fact]
        public async Task Constructor_found_on_a_WebSockets_type_builds_an_instance_of_it()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object? M(Stream stream)
    {
        Type managed = {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"")|}!;
        var ctor = {|WSH004:managed.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, new[] { typeof(Stream), typeof(WebSocketCreationOptions) }, null)|}!;
        object socket = ctor.Invoke(new object[] { stream, new WebSocketCreationOptions() });
        return {|WSH004:socket.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(socket);
    }
}");
        }

        [Fact]
        public async Task Message_of_a_hop_names_the_member_path()
        {
            await Verify.VerifyAsync(
                Usings + @"
class C
{
    static object? M(ClientWebSocket ws)
    {
        var handle = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(ws)!;
        return {|#0:handle.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }
}",
                Verify.Diagnostic("WSH004").WithLocation(0).WithArguments("'GetField(\"_webSocket\")' on the type of 'ClientWebSocket._innerWebSocket'"));
        }

        [Fact]
        public async Task A_field_walk_in_a_loop_ends_and_reports_its_root()
        {
            // cur's writes include a read whose type depends on cur itself: resolution stops after a few hops.
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object M(ClientWebSocket ws, string[] path)
    {
        object cur = ws;
        foreach (string name in path)
        {
            cur = cur.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(cur)!;
        }

        var first = {|WSH004:ws.GetType().GetField(path[0], BindingFlags.NonPublic | BindingFlags.Instance)|};
        return cur;
    }
}");
        }

        [Fact]
        public async Task BaseType_of_a_WebSockets_type_and_a_walk_up_the_hierarchy_are_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static FieldInfo? Walk(WebSocket ws)
    {
        for (Type? t = ws.GetType(); t is not null; t = t.BaseType)
        {
            var f = {|WSH004:t.GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)|};
            if (f is not null)
            {
                return f;
            }
        }

        return null;
    }

    static void M(object created)
    {
        var a = {|WSH004:typeof(ClientWebSocket).BaseType!.GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|};
        var b = typeof(WebSocket).BaseType!.GetFields(BindingFlags.NonPublic | BindingFlags.Instance);   // object
        var managed = (WebSocket)created;
        var c = {|WSH004:managed.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|};
        Type other = typeof(MemoryStream);
        while (other.BaseType is not null)
        {
            var d = other.GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance);
            other = other.BaseType;
        }
    }
}");
        }

        [Fact]
        public async Task Helpers_that_read_a_member_of_an_object_by_name_are_followed()
        {
            await Verify.VerifyAsync(Usings + @"
static class Reflect
{
    public static T? GetFieldValue<T>(this object obj, string name) =>
        (T?)obj.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(obj);

    public static object? GetPrivateProperty(object target, string propertyName) =>
        target?.GetType().GetProperty(propertyName, BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(target);
}

static class Notify
{
    // Named like a helper, but no reflection in its body.
    public static void SetProperty<T>(T value, string name) { }
}

class C
{
    static Stream Steal(ClientWebSocket ws, MemoryStream other)
    {
        var handle = {|WSH004:ws.GetFieldValue<object>(""_innerWebSocket"")|}!;
        var managed = {|WSH004:handle.GetFieldValue<object>(""_webSocket"")|}!;
        var connected = {|WSH004:Reflect.GetPrivateProperty(ws, ""ConnectedWebSocket"")|};
        var state = ws.GetFieldValue<object>(""State"");
        var buffer = other.GetFieldValue<byte[]>(""_buffer"");
        Notify.SetProperty(ws, ""_stream"");
        return {|WSH004:managed.GetFieldValue<Stream>(""_stream"")|}!;
    }
}");
        }

        // ---- types found by name or by search ----

        [Fact]
        public async Task Types_found_by_name_in_the_WebSockets_assemblies_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M()
    {
        var a = {|WSH004:typeof(ClientWebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"")|};
        var b = {|WSH004:Assembly.Load(""System.Net.WebSockets"").GetType(""System.Net.WebSockets.ManagedWebSocket"")|};
        var c = {|WSH004:Type.GetType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"")|};
        var d = {|WSH004:typeof(WebSocket).GetTypeInfo().Assembly.GetType(""System.Net.WebSockets.WebSocketHandle"", throwOnError: false)|};
    }
}");
        }

        [Fact]
        public async Task Searching_GetTypes_for_a_non_public_WebSockets_type_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object M(Stream stream)
    {
        Type managed = {|WSH004:typeof(WebSocket).Assembly.GetTypes().First(t => t.Name == ""ManagedWebSocket"")|};
        var ctor = {|WSH004:managed.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)|}[0];
        var asm = Assembly.Load(""System.Net.WebSockets"");
        var b = {|WSH004:asm.GetTypes().Where(t => t.Name.Equals(""ManagedWebSocket"", StringComparison.Ordinal))|}.First();
        var bFields = {|WSH004:b.GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|};
        var c = {|WSH004:typeof(ClientWebSocket).Assembly.DefinedTypes.FirstOrDefault(t => t.Name is ""WebSocketHandle"")|};
        var d = {|WSH004:typeof(C).Assembly.GetTypes().SingleOrDefault(t => t.FullName == ""System.Net.WebSockets.ManagedWebSocket"")|};
        var e = {|WSH004:Assembly.GetAssembly(typeof(WebSocket))!.GetTypes().First(t => string.Equals(t.Name, ""ManagedWebSocket""))|};
        return ctor.Invoke(new object[] { stream, new WebSocketCreationOptions() });
    }
}");
        }

        [Fact]
        public async Task Searches_for_public_types_or_in_other_assemblies_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
namespace MyApp { class ManagedWebSocket { } }

class C
{
    static void M(Assembly plugin)
    {
        var a = typeof(C).Assembly.GetTypes().First(t => t.Name == ""ManagedWebSocket"");
        var b = typeof(WebSocket).Assembly.GetTypes().First(t => t.Name == ""WebSocketState"");
        var c = typeof(WebSocket).Assembly.GetTypes().Where(t => t.FullName == ""System.Net.WebSockets.ClientWebSocket"");
        var d = plugin.GetTypes().First(t => t.Name == ""ManagedWebSocket"");
        var e = typeof(WebSocket).Assembly.GetTypes().Where(t => t.Namespace == ""System.Net.WebSockets"");
        var f = typeof(C).Assembly.GetTypes().First(t => t.FullName == ""MyApp.ManagedWebSocket"");
    }
}");
        }

        [Fact]
        public async Task Nameof_and_generated_code_stay_silent()
        {
            await Verify.VerifyAsync(new[]
            {
                Usings + @"
class C
{
    static void M(ClientWebSocket ws)
    {
        var a = ws.GetType().GetProperty(nameof(ClientWebSocket.Options));
        var b = typeof(WebSocket).GetMethod(nameof(WebSocket.SendAsync));
        var c = typeof(WebSocket).GetMethod(""SendAsync"");
    }
}",
                @"// <auto-generated/>
using System.Linq;
using System.Net.WebSockets;
using System.Reflection;

class G
{
    static object? M(ClientWebSocket ws)
    {
        var h = typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(ws)!;
        var t = typeof(WebSocket).Assembly.GetTypes().First(x => x.Name == ""ManagedWebSocket"");
        return h.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance);
    }
}",
            });
        }

        // ---- broken code ----

        [Theory]
        [InlineData("class C { object M(ClientWebSocket ws) { var h = typeof(ClientWebSocket).GetField(\"_x\", ).GetValue(ws); return h.GetType().GetField(\"_y\", BindingFlags.NonPublic | ); } }")]
        [InlineData("class C { object M(ClientWebSocket ws) { object h = missing.GetValue(ws); return h.GetType().GetField(\"_y\", BindingFlags.NonPublic).GetValue(; } }")]
        [InlineData("class C { object M() => typeof(WebSocket).Assembly.GetTypes().First(t => t.Name == ); }")]
        [InlineData("class C { object M() => typeof(WebSocket).Assembly.GetTypes().First(t => t.Nam == \"ManagedWebSocket\"); }")]
        [InlineData("class C { object M() => typeof(WebSocket).Assembly.GetTypes().Where(t => t.Name ==).First().GetConstructor(; }")]
        [InlineData("class C { object M() => Assembly.Load().GetTypes().First(t => string.Equals(t.Name, \"ManagedWebSocket\", )); }")]
        [InlineData("class C { object M() => Assembly.GetAssembly().DefinedTypes.First(t => t.Name is ); }")]
        [InlineData("class C { object M(object cur) { for (;;) cur = cur.GetType().GetField(n, BindingFlags.NonPublic).GetValue(cur) return cur; } }")]
        [InlineData("class C { static readonly FieldInfo s_f = s_f; object M(object o) => s_f.GetValue(o).GetType().GetField(\"_x\", ); }")]
        [InlineData("class C { object M(ClientWebSocket ws) => typeof(ClientWebSocket).GetConstructor().Invoke().GetType().GetField(\"_x\", BindingFlags.NonPublic | ")]
        [InlineData("static class R { public static object GetFieldValue(this object o, string name) => o.GetType().GetField(name, ).GetValue(o); static void M(ClientWebSocket ws) { ws.GetFieldValue(); GetFieldValue(\"_x\"); ws.GetFieldValue(name: ); } }")]
        [InlineData("static class R { public static object GetPrivateField(object o, string name) => o?.GetType().GetField(; static void M(WebSocket ws) { var h = GetPrivateField(ws, ); GetPrivateField(h, \"\" + ); } }")]
        public async Task Broken_code_on_the_new_paths_neither_throws_nor_reports(string body)
        {
            await Verifiers.HandoffAnalyzerVerifier<WebSocketReflectionAnalyzer>.VerifyBrokenCodeAsync(Usings + body);
        }

        [Fact]
        public async Task A_chain_and_a_search_as_they_are_typed_never_make_the_analyzer_throw()
        {
            const string source = Usings + @"
class Bridge
{
    static readonly FieldInfo? s_inner = typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance);
    Stream Steal(ClientWebSocket ws)
    {
        object handle = s_inner?.GetValue(ws) ?? throw new InvalidOperationException();
        var managed = handle.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(handle);
        Type t = typeof(WebSocket).Assembly.GetTypes().Where(x => x.Name == ""ManagedWebSocket"").Single();
        var f = t.GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
        return (Stream)managed!.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(managed)!;
    }
}";
            await Verifiers.HandoffAnalyzerVerifier<WebSocketReflectionAnalyzer>.AssertNoExceptionOnTruncationsAsync(source, step: 13);
        }
    }
}
