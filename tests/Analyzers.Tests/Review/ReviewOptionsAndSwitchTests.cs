using System.Threading.Tasks;
using Verify3 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>;
using Verify5 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>Review: WSH003 with options in a local and named arguments in any order; WSH005 through a switch break.</summary>
    public class ReviewOptionsAndSwitchTests
    {
        [Fact]
        public Task WSH003_follows_a_local_options_object_and_named_arguments_in_any_order() => Verify3.VerifyAsync(ReviewSources.Usings + @"
class L
{
    async Task A(Stream s)
    {
        var o = new WebSocketCreationOptions { IsServer = true, SubProtocol = ""raw"" };
        var ws = WebSocket.CreateFromStream(s, o);
        await s.WriteAsync(new byte[1]);
    }
    async Task B(Stream s)
    {
        var ws = WebSocket.CreateFromStream(keepAliveInterval: TimeSpan.Zero, subProtocol: null, isServer: true, stream: s);
        await s.WriteAsync(new byte[1]);
    }
    async Task D(Stream s)
    {
        var ws = {|WSH003:WebSocket.CreateFromStream(keepAliveInterval: TimeSpan.FromSeconds(9), subProtocol: null, isServer: true, stream: s)|};
        await s.WriteAsync(new byte[1]);
    }
}");

        [Fact]
        public Task WSH005_a_detach_in_a_switch_case_whose_break_only_leaves_the_switch() => Verify5.VerifyAsync(ReviewSources.Usings + @"
class L
{
    async Task Run(HandoffWebSocket ws, byte[] buf, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var r = await {|WSH005:ws.ReceiveAsync(buf, ct)|};
            switch (Encoding.UTF8.GetString(buf, 0, r.Count))
            {
                case ""raw"":
                    await ws.DetachAsync(ct);
                    break;
                default:
                    await {|WSH005:ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct)|};
                    break;
            }
        }
    }
}");
    }
}
