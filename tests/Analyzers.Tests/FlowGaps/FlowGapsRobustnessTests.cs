using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.Analyzers.Tests.Rules;
using WebSocketHandoff.Analyzers.Tests.Verifiers;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>The shapes the engine follows since this change, typed character by character: no analyzer exception.</summary>
    public class FlowGapsRobustnessTests
    {
        private const string Sample = WSH001Tests.Usings + @"
sealed class Session
{
    private readonly NetworkStream _net;
    private readonly SslStream _ssl;
    private HandoffWebSocket? _ws;

    public Session(TcpClient client) { _net = client.GetStream(); _ssl = new SslStream(_net); }

    public void Open() => _ws = HandoffWebSocket.CreateFromStream(_ssl, true, null, TimeSpan.FromSeconds(5));

    private async Task<Stream> UpgradeAsync(CancellationToken ct) => await _ws!.DetachAsync(ct);

    async Task RunAsync(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        var copy = stream;
        if (stream is NetworkStream ns) ns.Socket.Send(b);
        Func<Task> close = () => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        if (b.Length > 0)
            await copy.WriteAsync(b, ct);
        await close();
        var raw = await UpgradeAsync(ct);
        await Task.Run(async () => await _ws!.DetachAsync(ct));
        await Local();
        async Task Local() => await _ws!.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }
}";

        [Fact]
        public Task WSH001_never_throws_on_truncations() => HandoffAnalyzerVerifier<RawTransportUseAnalyzer>.AssertNoExceptionOnTruncationsAsync(Sample, step: 29);

        [Fact]
        public Task WSH002_never_throws_on_truncations() => HandoffAnalyzerVerifier<CloseDuringHandoffAnalyzer>.AssertNoExceptionOnTruncationsAsync(Sample, step: 31);

        [Fact]
        public Task WSH005_never_throws_on_truncations() => HandoffAnalyzerVerifier<UseAfterDetachAnalyzer>.AssertNoExceptionOnTruncationsAsync(Sample, step: 37);
    }
}
