using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using Verify4 = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>Review: WSH004 over real reflection code, and every analyzer over code in the middle of typing.</summary>
    public class ReviewReflectionAndRobustnessTests
    {
        [Fact]
        public Task WSH004_the_first_link_of_the_ClientWebSocket_stream_chain_and_ManagedWebSocket_lookups_are_reported() => Verify4.VerifyAsync(ReviewSources.Usings + @"
class Refl
{
    object Get(ClientWebSocket cws)
    {
        var inner = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|}!.GetValue(cws)!;
        return inner;
    }
    void T()
    {
        var t = {|WSH004:Type.GetType(""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"")|};
        var t2 = {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"")|};
        var ctor = {|WSH004:t2!.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)|};
        var f = {|WSH004:typeof(WebSocket).GetField(""_stream"")|};
        var m = {|WSH004:typeof(ClientWebSocket).GetMethod(""ConnectAsyncCore"", BindingFlags.Instance | BindingFlags.NonPublic)|};
        var cwsType = typeof(ClientWebSocket);
        var p = {|WSH004:cwsType.GetProperty(""ConnectedWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }
}");

        [Fact]
        public Task WSH004_instance_GetType_extension_helpers_InvokeMember_static_Type_fields_and_UnsafeAccessor() => Verify4.VerifyAsync(ReviewSources.Usings + @"
static class ReflectExt
{
    public static FieldInfo? PrivateField(this Type t, string name) => t.GetField(name, BindingFlags.NonPublic | BindingFlags.Instance);
}
class R
{
    object? A(WebSocket ws) => {|WSH004:ws.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
    object? B(ClientWebSocket c) => {|WSH004:typeof(ClientWebSocket).PrivateField(""_innerWebSocket"")|}?.GetValue(c);
    object? C(ClientWebSocket c) => {|WSH004:typeof(ClientWebSocket).InvokeMember(""_innerWebSocket"", BindingFlags.GetField | BindingFlags.NonPublic | BindingFlags.Instance, null, c, null)|};
    MemberInfo[] D() => {|WSH004:typeof(WebSocket).GetMember(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    FieldInfo[] E() => {|WSH004:typeof(ClientWebSocket).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)|};
    private static readonly Type s_cws = typeof(ClientWebSocket);
    FieldInfo? F() => {|WSH004:s_cws.GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    Type? H() => {|WSH004:typeof(ClientWebSocket).Assembly.GetType(""System.Net.WebSockets.WebSocketHandle"", throwOnError: false)|};
    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = ""get_ConnectedWebSocket"")]
    static extern WebSocket? {|WSH004:Connected|}(ClientWebSocket c);
    FieldInfo? I(ClientWebSocketOptions o) => {|WSH004:o.GetType().GetField(""_keepAliveInterval"", BindingFlags.NonPublic | BindingFlags.Instance)|};
}");

        [Fact]
        public Task WSH004_silent_on_public_member_lookups_public_type_names_and_other_namespaces() => Verify4.VerifyAsync(ReviewSources.Usings + @"
namespace MyLib { public class WebSocket { private int _stream; } class ManagedWebSocket { } }
class RF
{
    void A(WebSocket ws)
    {
        var f = typeof(List<int>).GetField(""_items"", BindingFlags.NonPublic | BindingFlags.Instance);
        var g = typeof(Stream).GetMethod(""ReadAsync"", new[] { typeof(byte[]), typeof(int), typeof(int) });
        var h = typeof(WebSocketState).GetField(""Open"");
        var i = typeof(ClientWebSocket).GetProperty(""State"");
        var j = typeof(ClientWebSocket).GetMethod(""CreateFromStream"", BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy);
        var k = typeof(ClientWebSocketOptions).GetProperty(""KeepAliveInterval"");
        var l = Type.GetType(""System.Net.WebSockets.WebSocket"");
        var m = typeof(WebSocket).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        var n = typeof(HttpListenerWebSocketContext).GetProperty(""WebSocket"");
        var o = Type.GetType(""System.Net.WebSockets.ClientWebSocket, System.Net.WebSockets.Client"");
        var p = typeof(WebSocket).GetMethod(nameof(WebSocket.CreateFromStream), new[] { typeof(Stream), typeof(WebSocketCreationOptions) });
        var q = typeof(ClientWebSocket).GetMethod(""Dispose"");
        var r = typeof(WebSocketReceiveResult).GetConstructor(new[] { typeof(int), typeof(WebSocketMessageType), typeof(bool) });
        var s = typeof(WebSocket).GetProperty(nameof(WebSocket.State));
        var u = typeof(WebSocketException).GetProperty(""WebSocketErrorCode"");
        var v = ws.GetType().GetMethod(""SendAsync"", new[] { typeof(ArraySegment<byte>), typeof(WebSocketMessageType), typeof(bool), typeof(CancellationToken) });
        var w = typeof(WebSocket).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var x = typeof(MyLib.WebSocket).GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance);
        var y = Type.GetType(""MyLib.ManagedWebSocket"");
    }
}");

        private const string Broken1 = ReviewSources.Usings + @"
class Broken
{
    async Task Run(Stream s, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, 
        await s.WriteAsync(new byte[1], ct);
        var raw = await ws.DetachAsync(
    }
    void M() { typeof(ClientWebSocket).GetField(""_inner"", BindingFlags. ); Type.GetType( ); }
    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Field, Name = )]
    static extern ref int F(
";

        private const string Broken2 = ReviewSources.Usings + @"
class Broken2 : Missing
{
    async Task Run(Missing s, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await s.WriteAsync(new byte[1], ct);
        await ws.SendAsync(x, WebSocketMessageType.Text, true, ct);
        await ws.DetachAsync(ct);
        ws = HandoffWebSocket.CreateFromStream(
        switch (await ws.ReceiveAsync()) { case 
";

        [Fact]
        public async Task Half_typed_code_makes_no_analyzer_throw_or_report()
        {
            foreach (var source in new[] { Broken1, Broken2 })
            {
                await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>.VerifyBrokenCodeAsync(source);
                await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>.VerifyBrokenCodeAsync(source);
                await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>.VerifyBrokenCodeAsync(source);
                await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>.VerifyBrokenCodeAsync(source);
                await Verifiers.HandoffAnalyzerVerifier<NonAtomicFinalSendAnalyzer>.VerifyBrokenCodeAsync(source);
                await Verifiers.HandoffAnalyzerVerifier<WebSocketReflectionAnalyzer>.VerifyBrokenCodeAsync(source);
            }
        }

        private const string Realistic = ReviewSources.Usings + @"
sealed class Tunnel(TcpClient client) : IAsyncDisposable
{
    private readonly NetworkStream _ns = client.GetStream();
    private HandoffWebSocket? _ws;
    public async Task<Stream> RunAsync(CancellationToken ct)
    {
        await using var ssl = new SslStream(_ns, leaveInnerStreamOpen: true);
        _ws = HandoffWebSocket.CreateFromStream(ssl, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(5) });
        var buf = new byte[256];
        while (true)
        {
            var r = await _ws.ReceiveAsync(buf, ct);
            switch (Encoding.UTF8.GetString(buf, 0, r.Count))
            {
                case ""raw"" when r.EndOfMessage:
                    return await _ws.SendAndDetachAsync(""ok""u8.ToArray(), WebSocketMessageType.Text, ct);
                case var s when s.StartsWith(""x""):
                    await _ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct);
                    break;
            }
            Func<Task> f = () => ssl.FlushAsync(ct);
            var t = typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance);
        }
    }
    public ValueTask DisposeAsync() { _ws?.Dispose(); return default; }
}";

        [Fact]
        public async Task Realistic_tunnel_as_it_is_typed_never_makes_an_analyzer_throw()
        {
            await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>.AssertNoExceptionOnTruncationsAsync(Realistic, step: 37);
            await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>.AssertNoExceptionOnTruncationsAsync(Realistic, step: 41);
            await Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>.AssertNoExceptionOnTruncationsAsync(Realistic, step: 43);
            await Verifiers.HandoffAnalyzerVerifier<NonAtomicFinalSendAnalyzer>.AssertNoExceptionOnTruncationsAsync(Realistic, step: 39);
            await Verifiers.HandoffAnalyzerVerifier<WebSocketReflectionAnalyzer>.AssertNoExceptionOnTruncationsAsync(Realistic, step: 47);
        }
    }
}
