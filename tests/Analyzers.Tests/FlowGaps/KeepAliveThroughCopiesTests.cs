using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>WSH003 counts the raw uses the engine now follows: through a copy, a type pattern, a lambda called through its local.</summary>
    public class KeepAliveThroughCopiesTests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task Keep_alive_on_a_WebSocket_whose_transport_is_used_through_a_copy_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))|};
        await ws.ReceiveAsync(b, ct);
        var raw = stream;
        await raw.WriteAsync(b, ct);
    }
}");

        [Fact]
        public Task Keep_alive_with_a_raw_use_in_a_lambda_made_before_the_creation_and_called_after_it_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        Func<Task> sendRaw = () => stream.WriteAsync(b, 0, b.Length, ct);
        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))|};
        await sendRaw();
    }
}");

        [Fact]
        public Task Keep_alive_with_a_copy_used_only_for_the_handshake_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var handshake = stream;
        await handshake.ReadAsync(b, ct);
        Func<Task> respond = () => handshake.WriteAsync(b, 0, b.Length, ct);
        await respond();
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        await ws.ReceiveAsync(b, ct);
    }
}");
    }
}
