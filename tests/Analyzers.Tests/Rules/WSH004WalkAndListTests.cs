using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH004 over walks up the hierarchy written in other ways, members picked by name out of <c>GetFields(…)</c>/<c>GetMembers(…)</c>
    /// lists, loops over <c>GetTypes()</c> with an <c>if</c>, and the shapes seen in public code that reaches into
    /// <c>ClientWebSocket</c>/<c>ManagedWebSocket</c>; beside each, the look-alike that must stay silent.
    /// </summary>
    public class WSH004WalkAndListTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Reflection;
";

        // ---- walks up the hierarchy ----

        [Fact]
        public async Task Walks_up_the_hierarchy_from_a_local_or_with_a_conditional_BaseType_are_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static FieldInfo? FromLocal(WebSocket ws)
    {
        Type type = ws.GetType();
        for (var t = type; t != null; t = t.BaseType)
        {
            var f = {|WSH004:t.GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|};
            if (f != null) return f;
        }

        return null;
    }

    static FieldInfo? Conditional(ClientWebSocket ws)
    {
        Type? t = ws.GetType();
        FieldInfo? f = null;
        while (f == null && t != null)
        {
            f = {|WSH004:t.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
            t = t?.BaseType;
        }

        return f;
    }

    static FieldInfo? InTheCondition(WebSocket ws)
    {
        Type? t = typeof(ClientWebSocket);
        do
        {
            var f = {|WSH004:t.GetField(""_state"", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)|};
            if (f != null) return f;
        }
        while ((t = t.BaseType) != null);

        return null;
    }
}");
        }

        [Fact]
        public async Task Walks_over_other_types_or_public_members_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
namespace Chat.Net
{
    class ClientWebSocket { private Stream? _stream; }
}

class C
{
    static object? Own(Chat.Net.ClientWebSocket ws)
    {
        for (Type? t = ws.GetType(); t != null; t = t?.BaseType)
        {
            var f = t.GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
            if (f != null) return f.GetValue(ws);
        }

        return null;
    }

    static PropertyInfo? Public(WebSocket ws)
    {
        for (Type? t = ws.GetType(); t != null; t = t?.BaseType)
        {
            var p = t.GetProperty(""State"", BindingFlags.Public | BindingFlags.Instance);
            if (p != null) return p;
        }

        return null;
    }

    static FieldInfo? Parameter(Type start)
    {
        for (Type? t = start; t != null; t = t?.BaseType)
        {
            var f = t.GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
            if (f != null) return f;
        }

        return null;
    }
}");
        }

        // ---- members picked out of a list by name ----

        [Fact]
        public async Task A_member_picked_by_name_out_of_a_non_public_list_is_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static Stream Steal(ClientWebSocket client)
    {
        FieldInfo inner = {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|}
            .First(f => f.Name == ""_innerWebSocket"");
        object handle = inner.GetValue(client)!;
        var webSocket = {|WSH004:handle.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|}
            .Single(f => f.Name.Equals(""_webSocket"")).GetValue(handle)!;
        var stream = {|WSH004:webSocket.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}!;
        return (Stream)stream.GetValue(webSocket)!;
    }

    static object? ByMembers(ClientWebSocket client)
    {
        var inner = (FieldInfo){|WSH004:client.GetType().GetMembers(BindingFlags.NonPublic | BindingFlags.Instance)|}
            .Where(m => m.Name == ""_innerWebSocket"").First();
        object handle = inner.GetValue(client)!;
        return {|WSH004:handle.GetType().GetProperty(""WebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(handle);
    }

    static object? Runtime(ClientWebSocket client)
    {
        var inner = {|WSH004:typeof(ClientWebSocket).GetRuntimeFields()|}.FirstOrDefault(f => f.Name == ""_innerWebSocket"");
        object? handle = inner?.GetValue(client);
        return handle?{|WSH004:.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }
}");
        }

        [Fact]
        public async Task A_non_public_member_picked_out_of_a_TypeInfo_declared_list_is_reported_and_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object? Inner(ClientWebSocket client)
    {
        var inner = {|WSH004:((TypeInfo)typeof(ClientWebSocket)).DeclaredFields.First(f => f.Name == ""_innerWebSocket"")|};
        object handle = inner.GetValue(client)!;
        return {|WSH004:handle.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }

    static MethodInfo? Method(WebSocket ws) =>
        {|WSH004:ws.GetType().GetTypeInfo().DeclaredMethods.Where(m => m.Name == ""SendFrameAsync"")|}.FirstOrDefault();
}");
        }

        [Fact]
        public async Task Public_or_other_types_members_picked_out_of_a_TypeInfo_declared_list_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class Agent { private object? _client; }

class C
{
    static void Swap(Agent agent, object fake)
    {
        ((TypeInfo)typeof(Agent)).DeclaredFields.First(f => f.Name == ""_client"").SetValue(agent, fake);
    }

    static object? Options(ClientWebSocket client) =>
        typeof(ClientWebSocket).GetTypeInfo().DeclaredProperties.First(p => p.Name == ""Options"").GetValue(client);

    static FieldInfo? Any(ClientWebSocket client) =>
        typeof(ClientWebSocket).GetTypeInfo().DeclaredFields.FirstOrDefault(f => f.IsStatic && f.Name.Length > 3);
}");
        }

        [Fact]
        public async Task Public_members_picked_out_of_a_list_are_not_followed_into_internals()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static object? Options(ClientWebSocket client)
    {
        // Public properties only; ""Options"" is public and its value is a public type.
        PropertyInfo options = typeof(ClientWebSocket).GetProperties().First(p => p.Name == ""Options"");
        object value = options.GetValue(client)!;
        return value.GetType().GetProperty(""KeepAliveInterval"");
    }

    static object? NotFound(ClientWebSocket client)
    {
        // GetFields() without flags lists public fields: no '_innerWebSocket' there to read.
        var inner = typeof(ClientWebSocket).GetFields().FirstOrDefault(f => f.Name == ""_innerWebSocket"");
        return inner?.GetValue(client);
    }

    static object? State(ClientWebSocket client)
    {
        var state = typeof(ClientWebSocket).GetProperties(BindingFlags.Public | BindingFlags.Instance).First(p => p.Name == ""State"");
        object value = state.GetValue(client)!;
        return value.GetType().GetField(""Open"", BindingFlags.Public | BindingFlags.Static);
    }
}");
        }

        // ---- loops over GetTypes() ----

        [Fact]
        public async Task A_loop_over_GetTypes_with_an_if_on_the_name_is_reported_and_the_type_followed()
        {
            await Verify.VerifyAsync(Usings + @"
class C
{
    static ConstructorInfo? Build()
    {
        Assembly asm = typeof(WebSocket).Assembly;
        foreach (var t in {|WSH004:asm.GetTypes()|})
        {
            if (t.Name == ""ManagedWebSocket"")
            {
                return {|WSH004:t.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, new[] { typeof(Stream), typeof(bool) }, null)|};
            }
        }

        return null;
    }

    static Type? Find()
    {
        Type? found = null;
        foreach (Type t in {|WSH004:typeof(ClientWebSocket).Assembly.GetTypes()|})
        {
            if (t.FullName == ""System.Net.WebSockets.WebSocketHandle"")
            {
                found = t;
                break;
            }
        }

        return found;
    }

    static Type? AnyAssembly(Assembly any)
    {
        foreach (var t in {|WSH004:any.GetTypes()|})
        {
            if (string.Equals(t.FullName, ""System.Net.WebSockets.ManagedWebSocket"", StringComparison.Ordinal)) return t;
        }

        return null;
    }
}");
        }

        [Fact]
        public async Task Loops_over_GetTypes_for_public_or_own_types_are_silent()
        {
            await Verify.VerifyAsync(Usings + @"
class ManagedWebSocket { }

class C
{
    static Type? Own()
    {
        foreach (var t in typeof(C).Assembly.GetTypes())
        {
            if (t.Name == ""ManagedWebSocket"")
            {
                var f = t.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null);
                return t;
            }
        }

        return null;
    }

    static Type? Public()
    {
        foreach (var t in typeof(WebSocket).Assembly.GetTypes())
        {
            if (t.Name == ""ClientWebSocket"" || t.FullName == ""System.Net.WebSockets.WebSocketState"")
            {
                return t;
            }
        }

        return null;
    }

    static int Count()
    {
        int n = 0;
        foreach (var t in typeof(WebSocket).Assembly.GetTypes())
        {
            if (t.IsPublic) n++;
        }

        return n;
    }
}");
        }

        // ---- shapes seen in public code ----

        [Fact]
        public async Task A_library_GetMember_helper_chain_from_ClientWebSocket_to_a_private_send_method_is_reported()
        {
            // A pattern seen in public code: a generic GetMember<T>(this Type, string memberName) helper from a utility
            // library, cached in ??= fields, reaching ClientWebSocket._innerWebSocket, the handle's WebSocket and a private
            // send method of ManagedWebSocket with an internal opcode enum.
            await Verify.VerifyAsync(Usings + @"
namespace Utility.Reflection
{
    public static class MemberExtensions
    {
        public static T GetMember<T>(this Type type, string memberName, params Type[] additionalTypes)
            where T : MemberInfo =>
            (T)type.GetMember(memberName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)[0];
    }
}

namespace App
{
    using System.Threading.Tasks;
    using Utility.Reflection;

    class PingSender
    {
        private readonly WebSocket _ws;
        private FieldInfo? _innerSocketField;
        private PropertyInfo? _socketProp;
        private Type? _opCodeEnum;
        private MethodInfo? _sendMethod;

        PingSender(WebSocket ws) { _ws = ws; }

        public ValueTask SendOpCode(byte code)
        {
            if (_ws is not ClientWebSocket client)
                throw new InvalidOperationException();

            _innerSocketField ??= {|WSH004:typeof(ClientWebSocket).GetMember<FieldInfo>(""_innerWebSocket"")|};
            var handle = _innerSocketField.GetValue(client)!;
            _socketProp ??= handle.GetType().GetMember<PropertyInfo>(""WebSocket"");
            var socket = (WebSocket)_socketProp.GetValue(handle)!;
            _opCodeEnum ??= {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket+MessageOpcode"")|};
            var opCode = Enum.ToObject(_opCodeEnum!, code);
            _sendMethod ??= {|WSH004:socket.GetType().GetMember<MethodInfo>(""SendFrameLockAcquiredNonCancelableAsync"")|};
            return (ValueTask)_sendMethod.Invoke(socket, new object[] { opCode, true, true, ReadOnlyMemory<byte>.Empty })!;
        }
    }
}");
        }

        [Fact]
        public async Task Test_style_reads_of_the_negotiated_deflate_options_are_reported()
        {
            // Seen in tests: the handle read from ClientWebSocket._innerWebSocket, then a private field of WebSocketHandle, its
            // type named by an assembly-qualified string or taken from the value.
            await Verify.VerifyAsync(Usings + @"
class DeflateTests
{
    static object? FromValue(ClientWebSocket client)
    {
        object handle = {|WSH004:client.GetType().GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(client)!;
        return {|WSH004:handle.GetType().GetField(""_negotiatedDeflateOptions"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(handle);
    }

    static object? ByName(ClientWebSocket client)
    {
        object handle = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(client)!;
        return {|WSH004:{|WSH004:Type.GetType(""System.Net.WebSockets.WebSocketHandle, System.Net.WebSockets.Client"")|}!
            .GetField(""_negotiatedDeflateOptions"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(handle);
    }

    private static readonly FieldInfo s_inner =
        {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}
        ?? throw new Exception(""no _innerWebSocket"");

    private static readonly PropertyInfo s_handleWebSocket =
        {|WSH004:{|WSH004:typeof(ClientWebSocket).Assembly.GetType(""System.Net.WebSockets.WebSocketHandle"", throwOnError: true)|}!
            .GetProperty(""WebSocket"", BindingFlags.Instance | BindingFlags.NonPublic)|}!;
}");
        }

        [Fact]
        public async Task Digging_the_socket_out_of_a_ClientWebSocket_wrapper_is_reported_at_each_hop()
        {
            // A wrapper seen in public code: _innerWebSocket, the handle's WebSocket property (public on an internal type:
            // silent), the ManagedWebSocket's _stream, then the connection stream's _connection.
            await Verify.VerifyAsync(Usings + @"
using System.Net.Sockets;

public class ClientWebSocketWrapper
{
    public ClientWebSocket InnerWebSocket { get; } = new ClientWebSocket();

    public Socket? GetUnderlyingSocket()
    {
        var innerWebSocketField = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.Instance | BindingFlags.NonPublic)|};
        if (innerWebSocketField == null) return null;
        var handle = innerWebSocketField.GetValue(InnerWebSocket);
        if (handle == null) return null;
        var webSocketProperty = handle.GetType().GetProperty(""WebSocket"", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (webSocketProperty == null) return null;
        WebSocket webSocket = (WebSocket)webSocketProperty.GetValue(handle)!;
        var streamField = {|WSH004:webSocket.GetType().GetField(""_stream"", BindingFlags.Instance | BindingFlags.NonPublic)|};
        if (streamField == null) return null;
        var connectionStream = streamField.GetValue(webSocket)!;
        var connectionField = {|WSH004:connectionStream.GetType().GetField(""_connection"", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)|};
        return connectionField?.GetValue(connectionStream) as Socket;
    }
}");
        }

        [Fact]
        public async Task Private_WebSocket_fields_of_your_own_or_other_libraries_types_are_silent()
        {
            // Seen in public tests: a private _webSocket field of the code under test, a field of another WebSocket library's
            // behavior class, and a value read from them that is a WebSocket used through its public API.
            await Verify.VerifyAsync(Usings + @"
using System.Threading;
using System.Threading.Tasks;

namespace OtherLib.Server
{
    public abstract class WebSocketBehavior { private object? _websocket; }
}

class WebSocketService { private WebSocket? _webSocket; }

class Canvas { private readonly WebSocket? _webSocket = null; }

class Tests
{
    static void Reset(OtherLib.Server.WebSocketBehavior behavior)
    {
        var field = typeof(OtherLib.Server.WebSocketBehavior).GetField(""_websocket"", BindingFlags.Instance | BindingFlags.NonPublic);
        field?.SetValue(behavior, null);
    }

    static void SetPrivateSocket(WebSocketService service, WebSocket? socket)
    {
        var field = typeof(WebSocketService).GetField(""_webSocket"", BindingFlags.Instance | BindingFlags.NonPublic)!;
        field.SetValue(service, socket);
    }

    static async Task SendRaw(Canvas canvas, byte[] data)
    {
        var ws = canvas.GetType().GetField(""_webSocket"", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(canvas) as WebSocket;
        await ws!.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);
        var state = ws.GetType().GetProperty(""State"");
    }
}");
        }

        [Fact]
        public async Task Fields_of_NET_Framework_internal_types_through_a_cached_assembly_are_reported()
        {
            // Seen in public code written for .NET Framework: the WebSockets assembly cached in a static readonly field, internal
            // types named by string (WebSocketBase, WebSocketHttpListenerDuplexStream) and fields named by nameof of the
            // FieldInfo field that holds them.
            await Verify.VerifyAsync(Usings + @"
public static class WebSocketCleanup
{
    static readonly Assembly s_assembly = typeof(WebSocket).Assembly;
    static readonly FieldInfo m_InnerStream =
        {|WSH004:{|WSH004:s_assembly.GetType(""System.Net.WebSockets.WebSocketBase"")|}!.GetField(nameof(m_InnerStream), BindingFlags.NonPublic | BindingFlags.Instance)|}!;
    static readonly FieldInfo m_ReadTaskCompletionSource =
        {|WSH004:{|WSH004:s_assembly.GetType(""System.Net.WebSockets.WebSocketHttpListenerDuplexStream"")|}!.GetField(nameof(m_ReadTaskCompletionSource), BindingFlags.NonPublic | BindingFlags.Instance)|}!;

    // Public names through the same cached assembly stay silent.
    static readonly Type s_state = s_assembly.GetType(""System.Net.WebSockets.WebSocketState"")!;
    static readonly PropertyInfo s_closeStatus = s_assembly.GetType(""System.Net.WebSockets.WebSocket"")!.GetProperty(""CloseStatus"")!;

    public static object? InnerStream(this WebSocket ws) => m_InnerStream.GetValue(ws);
}");
        }
    }
}
