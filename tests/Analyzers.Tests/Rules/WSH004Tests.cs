using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH004Tests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
";

        // ---- (a) member lookups on System.Net.WebSockets types ----

        [Fact]
        public async Task ClientWebSocket_inner_field_chain_reports_every_hop()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static Stream Steal(ClientWebSocket ws)
    {
        object inner = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(ws)!;
        object managed = {|WSH004:inner.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(inner)!;
        return (Stream){|WSH004:managed.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(managed)!;
    }
}");
        }

        [Fact]
        public async Task GetType_of_a_WebSocket_instance_with_NonPublic_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static Stream Steal(WebSocket ws) =>
        (Stream){|WSH004:ws.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(ws)!;
}");
        }

        [Fact]
        public async Task Naming_a_member_that_is_not_public_is_reported_without_NonPublic()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object? M(WebSocket ws) => {|WSH004:ws.GetType().GetField(""_stream"")|}?.GetValue(ws);
    static object? P() => {|WSH004:typeof(WebSocket).GetMethod(""ThrowOnInvalidState"")|};
}");
        }

        [Fact]
        public async Task Type_held_in_a_local_or_readonly_field_is_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private static readonly Type s_client = typeof(ClientWebSocket);

    static object? Local(ClientWebSocket ws)
    {
        Type t = ws.GetType();
        var field = {|WSH004:t.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
        return field?.GetValue(ws);
    }

    static FieldInfo? Copy()
    {
        var a = typeof(ClientWebSocket);
        var b = a;
        return {|WSH004:b.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }

    static FieldInfo? Field() => {|WSH004:s_client.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
}");
        }

        [Fact]
        public async Task Private_fields_assigned_only_WebSocket_types_are_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class Upgrader
{
    private static Type? s_managedWebSocketType;
    private static ConstructorInfo? s_webSocketCtor;
    private Type? _client;

    WebSocket Create(Stream stream)
    {
        s_managedWebSocketType ??= {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"", throwOnError: true)|};
        s_webSocketCtor ??= {|WSH004:s_managedWebSocketType!.GetConstructors(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)|}.First(c => c.GetParameters().Length == 2);
        return (WebSocket)s_webSocketCtor.Invoke(new object[] { stream, new WebSocketCreationOptions() });
    }

    object? Inner(ClientWebSocket ws)
    {
        this._client = ws.GetType();
        return {|WSH004:_client.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
    }
}");
        }

        [Fact]
        public async Task Fields_that_may_hold_other_types_are_not_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private Type _type = typeof(ClientWebSocket);
    public Type Exposed = typeof(ClientWebSocket);

    private Type _other = typeof(ClientWebSocket);
    private Type _swapped = typeof(MemoryStream);

    void Reset() { _type = typeof(MemoryStream); (_other, _swapped) = (_swapped, _other); }

    void M()
    {
        var a = _type.GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance);
        var b = Exposed.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance);
        var c = _other.GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance);
    }
}");
        }

        [Fact]
        public async Task Non_public_constructor_and_member_enumerations_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M()
    {
        var ctor = {|WSH004:typeof(ClientWebSocketOptions).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null)|};
        var fields = {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|};
        var all = {|WSH004:typeof(WebSocket).GetRuntimeFields()|}.ToList();
        var declared = {|WSH004:typeof(ClientWebSocket).GetTypeInfo().GetDeclaredField(""_innerWebSocket"")|};
        var members = {|WSH004:typeof(ClientWebSocket).GetMember(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }
}");
        }

        [Fact]
        public async Task InvokeMember_with_NonPublic_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object? M(WebSocket ws) =>
        {|WSH004:typeof(WebSocket).InvokeMember(""_stream"", BindingFlags.GetField | BindingFlags.NonPublic | BindingFlags.Instance, null, ws, null)|};
}");
        }

        [Fact]
        public async Task NonPublic_only_lookup_of_a_name_that_is_also_public_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static MethodInfo? M() => {|WSH004:typeof(WebSocket).GetMethod(""SendAsync"", BindingFlags.NonPublic | BindingFlags.Instance)|};
}");
        }

        [Fact]
        public async Task User_extension_helper_of_the_lookup_shape_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
static class ReflectionExtensions
{
    public static FieldInfo? PrivateField(this Type type, string name) =>
        type.GetField(name, BindingFlags.NonPublic | BindingFlags.Instance);

    public static FieldInfo? FieldWith(this Type type, string fieldName, BindingFlags flags = BindingFlags.NonPublic | BindingFlags.Instance) =>
        type.GetField(fieldName, flags);
}

class C
{
    static void M(ClientWebSocket ws)
    {
        var a = {|WSH004:typeof(ClientWebSocket).PrivateField(""_innerWebSocket"")|};
        var b = {|WSH004:ws.GetType().FieldWith(""Options"")|};
        var c = typeof(ClientWebSocket).PrivateField(""Options"");
    }
}");
        }

        [Fact]
        public async Task Generic_GetMember_helper_and_nested_internal_types_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
static class TypeExtensions
{
    public static T? GetMember<T>(this Type type, string name) where T : MemberInfo =>
        type.GetMember(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).OfType<T>().FirstOrDefault();
}

class C
{
    private FieldInfo? _innerSocketField;
    private Type? _opCodeEnum;

    void SendOpCode(ClientWebSocket ws)
    {
        _innerSocketField ??= {|WSH004:typeof(ClientWebSocket).GetMember<FieldInfo>(""_innerWebSocket"")|};
        var handle = _innerSocketField!.GetValue(ws)!;
        var socketProperty = handle.GetType().GetMember<PropertyInfo>(""WebSocket"");
        _opCodeEnum ??= {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket+MessageOpcode"")|};
        var state = typeof(WebSocket).GetMember<PropertyInfo>(""State"");
    }
}");
        }

        // ---- (b) types named by a string ----

        [Fact]
        public async Task Type_GetType_and_Assembly_GetType_naming_ManagedWebSocket_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M()
    {
        Type? a = {|WSH004:Type.GetType(""System.Net.WebSockets.ManagedWebSocket"")|};
        Type? b = {|WSH004:Type.GetType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets, Version=8.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"", throwOnError: true)|};
        Type? c = {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"")|};
        Type? d = {|WSH004:typeof(ClientWebSocket).Assembly.GetType(""System.Net.WebSockets.WebSocketHandle"", true)|};
    }
}");
        }

        [Fact]
        public async Task Non_public_constructor_of_a_type_found_by_name_is_reported_on_both_calls()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static WebSocket Create(Stream stream)
    {
        Type managed = {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"", throwOnError: true)|}!;
        ConstructorInfo ctor = {|WSH004:managed.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, new[] { typeof(Stream), typeof(bool), typeof(string), typeof(TimeSpan) }, null)|}!;
        return (WebSocket)ctor.Invoke(new object?[] { stream, true, null, TimeSpan.Zero });
    }
}");
        }

        [Fact]
        public async Task Activator_creating_a_WebSockets_type_through_a_non_public_constructor_is_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(Stream stream)
    {
        var a = {|WSH004:Activator.CreateInstance(typeof(ClientWebSocketOptions), nonPublic: true)|};
        Type managed = {|WSH004:Type.GetType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"")|}!;
        var b = {|WSH004:Activator.CreateInstance(managed, BindingFlags.NonPublic | BindingFlags.Instance, null, new object[] { stream, true, null!, TimeSpan.Zero }, null)|};
        var c = {|WSH004:Activator.CreateInstance(""System.Net.WebSockets"", ""System.Net.WebSockets.ManagedWebSocket"")|};
        var d = Activator.CreateInstance(typeof(ClientWebSocket));
        var e = Activator.CreateInstance(typeof(MemoryStream), nonPublic: true);
    }
}");
        }

        [Fact]
        public async Task Constant_names_from_const_fields_and_concatenation_are_read()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private const string Ns = ""System.Net.WebSockets."";
    private const string Inner = ""_innerWebSocket"";

    static void M()
    {
        var a = {|WSH004:Type.GetType(Ns + ""ManagedWebSocket"")|};
        var b = {|WSH004:typeof(ClientWebSocket).GetField(Inner)|};
        var c = typeof(ClientWebSocket).GetProperty(nameof(ClientWebSocket.Options));
    }
}");
        }

        [Fact]
        public async Task Lookups_inside_lambdas_field_initializers_and_local_functions_are_reported()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    private static readonly FieldInfo? s_inner = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    private static readonly Func<WebSocket, object?> s_stream = ws => {|WSH004:ws.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);

    static object? M(ClientWebSocket ws)
    {
        Type t = typeof(ClientWebSocket);
        return Local();

        object? Local() => {|WSH004:t.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
    }
}");
        }

        [Fact]
        public async Task Flags_written_through_using_static_or_a_cast_are_read()
        {
            await Verify.VerifyAsync(Usings + @"
using static System.Reflection.BindingFlags;

class C
{
    private const BindingFlags Hidden = NonPublic | Instance;

    static void M()
    {
        var a = {|WSH004:typeof(ClientWebSocket).GetFields(NonPublic | Instance)|};
        var b = {|WSH004:typeof(ClientWebSocket).GetFields((BindingFlags)36)|};
        var c = {|WSH004:typeof(ClientWebSocket).GetFields(Hidden)|};
        var d = typeof(ClientWebSocket).GetFields(Public | Instance);
    }
}");
        }

        [Fact]
        public async Task Non_constant_names_and_flags_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(string name, BindingFlags flags)
    {
        var a = typeof(ClientWebSocket).GetField(name);
        var b = typeof(ClientWebSocket).GetProperty(""Options"", flags);
        var c = Type.GetType(name);
    }
}");
        }

        [Fact]
        public async Task Conditional_access_chains_are_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object? M(ClientWebSocket ws)
    {
        // On a conditional access the reflection call is the part after '?'.
        var ctor = {|WSH004:Type.GetType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"")|}?{|WSH004:.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null)|};
        return ws?{|WSH004:.GetType().GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
    }
}");
        }

        // ---- (c) UnsafeAccessor ----

        [Fact]
        public async Task UnsafeAccessor_targeting_a_WebSockets_type_is_reported_on_the_method()
        {
            await Verify.VerifyAsync(Usings + @"
static class Accessors
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = ""_innerWebSocket"")]
    public static extern ref object {|WSH004:InnerWebSocket|}(ClientWebSocket ws);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = ""ThrowIfDisposed"")]
    public static extern void {|WSH004:ThrowIfDisposed|}(WebSocket ws);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    public static extern ClientWebSocketOptions {|WSH004:NewOptions|}();
}");
        }

        [Fact]
        public async Task UnsafeAccessorType_naming_a_WebSockets_type_is_reported()
        {
            // UnsafeAccessorTypeAttribute is .NET 10; a polyfill stands in for it on net8.0.
            await Verify.VerifyAsync(Usings + @"
namespace System.Runtime.CompilerServices
{
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
    internal sealed class UnsafeAccessorTypeAttribute : Attribute
    {
        public UnsafeAccessorTypeAttribute(string typeName) { }
    }
}

static class Accessors
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = ""_stream"")]
    public static extern ref Stream {|WSH004:Stream|}([UnsafeAccessorType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"")] object ws);
}");
        }

        // ---- silent ----

        [Fact]
        public async Task Lookups_of_public_members_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(WebSocket ws, ClientWebSocket client)
    {
        var a = typeof(WebSocket).GetMethod(""CreateFromStream"", new[] { typeof(Stream), typeof(bool), typeof(string), typeof(TimeSpan) });
        var b = typeof(WebSocket).GetProperty(""State"", BindingFlags.Public | BindingFlags.Instance);
        var c = ws.GetType().GetProperty(""State"");
        var d = ws.GetType().GetProperty(""Options"");   // public on ClientWebSocket, which ws may be
        var e = client.GetType().GetMethod(""ConnectAsync"");
        var f = typeof(WebSocket).GetMethod(""CreateFromStream"", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, null, new[] { typeof(Stream), typeof(WebSocketCreationOptions) }, null);
        var g = typeof(WebSocket).GetMethods();
        var h = typeof(ClientWebSocket).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var i = typeof(ClientWebSocket).GetConstructor(Type.EmptyTypes);
        var j = typeof(WebSocketState).GetField(""Open"");
        var k = typeof(WebSocket).GetMember(""ToString"");
    }
}");
        }

        [Fact]
        public async Task Feature_detection_of_public_members_of_newer_versions_is_silent()
        {
            // KeepAliveTimeout and CreateReadableMessageStream are public from .NET 9/10 on; this compilation targets .NET 8.
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M()
    {
        var a = typeof(WebSocketCreationOptions).GetProperty(""KeepAliveTimeout"");
        var b = typeof(ClientWebSocketOptions).GetProperty(""KeepAliveTimeout"", BindingFlags.Public | BindingFlags.Instance);
        var c = Type.GetType(""System.Net.WebSockets.WebSocketStream"")?.GetMethod(""CreateReadableMessageStream"");
    }
}");
        }

        [Fact]
        public async Task Public_types_named_by_string_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M()
    {
        var a = Type.GetType(""System.Net.WebSockets.WebSocket"");
        var b = Type.GetType(""System.Net.WebSockets.ClientWebSocket, System.Net.WebSockets.Client"");
        var c = typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.WebSocketStream"");   // public in .NET 10
        var d = Type.GetType(""System.Net.Http.HttpClient"");
        var e = Type.GetType(""MyApp.ManagedWebSocket"");
    }
}");
        }

        [Fact]
        public async Task Types_merely_named_WebSocket_outside_System_Net_WebSockets_are_silent()
        {
            await Verify.VerifyAsync(@"
using System;
using System.Reflection;

namespace MyApp
{
    class ManagedWebSocket { private int _stream; public int Stream => _stream; }
    class WebSocket { private object? _inner; public object? Inner => _inner; }

    class C
    {
        static void M(WebSocket ws)
        {
            var a = typeof(ManagedWebSocket).GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
            var b = ws.GetType().GetField(""_inner"", BindingFlags.NonPublic | BindingFlags.Instance);
            var c = typeof(WebSocket).Assembly.GetType(""MyApp.ManagedWebSocket"");
        }
    }
}");
        }

        [Fact]
        public async Task Reflection_over_non_WebSocket_types_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(Stream stream, object o, Type unknown)
    {
        var a = typeof(MemoryStream).GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance);
        var b = stream.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance);
        var c = o.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
        var d = unknown.GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
        Type t = typeof(ClientWebSocket);
        t = typeof(MemoryStream);
        var e = t.GetField(""_buffer"", BindingFlags.NonPublic | BindingFlags.Instance);
    }
}");
        }

        [Fact]
        public async Task Reflection_over_HandoffWebSocket_and_user_subclasses_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static void M(WebSocketHandoff.HandoffWebSocket ws)
    {
        var a = ws.GetType().GetField(""_inner"", BindingFlags.NonPublic | BindingFlags.Instance);
        var b = typeof(WebSocketHandoff.HandoffWebSocket).GetMethod(""DetachAsync"");
    }
}");
        }

        [Fact]
        public async Task UnsafeAccessor_to_other_types_is_silent()
        {
            await Verify.VerifyAsync(Usings + @"
static class Accessors
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = ""_buffer"")]
    public static extern ref byte[] Buffer(MemoryStream stream);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    public static extern MemoryStream NewStream();
}");
        }

        [Fact]
        public async Task Helpers_that_do_not_name_a_member_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
static class Log
{
    public static void Write(Type source, string message) { }
    public static Type? Find(Type anchor, string typeName) => anchor.Assembly.GetType(typeName);
}

class C
{
    static void M()
    {
        Log.Write(typeof(WebSocket), ""connected"");
        var t = Log.Find(typeof(WebSocket), ""Whatever"");
    }
}");
        }

        [Fact]
        public async Task Generated_code_is_silent()
        {
            await Verify.VerifyAsync(@"// <auto-generated/>
using System.Net.WebSockets;
using System.Reflection;

class C
{
    static object? M(ClientWebSocket ws) =>
        typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(ws);
}");
        }

        [Fact]
        public async Task Top_level_statements_are_analyzed()
        {
            await Verify.VerifyProgramAsync(@"
using System.Net.WebSockets;
using System.Reflection;

var ws = new ClientWebSocket();
var inner = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
");
        }

        [Fact]
        public async Task A_mention_of_WebSocket_across_the_text_chunk_boundary_is_found()
        {
            // The file pre-check reads the text in chunks of 8192 characters; the only mention here straddles the first boundary.
            const string head = "using System;\nclass C\n{\n    static object? M() => ";
            const string call = "Type.GetType(\"System.Net.WebSockets.ManagedWebSocket\")";
            int firstMention = head.Length + "/**/".Length + call.IndexOf("WebSocket", System.StringComparison.Ordinal);
            string padding = new string(' ', 8192 - 4 - firstMention);
            string source = head + "/*" + padding + "*/" + "{|WSH004:" + call + "|};\n}\n";
            await Verify.VerifyAsync(source);
        }

        [Fact]
        public async Task Message_names_the_lookup_and_the_type()
        {
            await Verify.VerifyAsync(
                Usings + @"
class C
{
    static FieldInfo? M() => {|#0:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
}",
                Verify.Diagnostic("WSH004").WithLocation(0).WithArguments("'GetField(\"_innerWebSocket\")' on 'ClientWebSocket'"));
        }
    }
}
