using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Close = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>;
using Raw = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;
using Use = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// A method of the type whose detach names the field as <c>this._ws</c> (<c>this._ws.DetachAsync(ct)</c>,
    /// <c>this._ws!.Detach()</c>) counts as a detach of that field where it is called, as the plain <c>_ws</c> does. The
    /// <c>this.</c> form names the field also where a local of that name hides it, and never a parameter.
    /// </summary>
    public class ThisQualifiedDetachTests
    {
        private static Task UseAsync(string code) => Use.VerifyAsync(WSH001Tests.Usings + code);

        private static Task CloseAsync(string code) => Close.VerifyAsync(WSH001Tests.Usings + code);

        private static Task RawAsync(string code) => Raw.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task A_send_after_a_method_that_detaches_this_field_is_reported() => UseAsync(@"
sealed class Connection
{
    private readonly HandoffWebSocket _ws;

    public Connection(Stream stream) => _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));

    private async Task<Stream> UpgradeAsync(CancellationToken ct) => await this._ws.DetachAsync(ct);

    public async Task RunAsync(byte[] b, CancellationToken ct)
    {
        var raw = await UpgradeAsync(ct);
        await {|WSH005:_ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
        await {|WSH005:this._ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }
}");

        [Fact]
        public Task A_block_bodied_method_detaching_this_field_with_a_suppression_is_a_detach_also_where_a_local_hides_the_name() => UseAsync(@"
sealed class Connection
{
    private HandoffWebSocket? ws;

    public void Open(Stream stream) { this.ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10)); }

    private Stream Switch(Stream ws)
    {
        var raw = this.ws!.Detach();
        return raw;
    }

    public async Task RunAsync(Stream s, byte[] b, CancellationToken ct)
    {
        var raw = this.Switch(s);
        await {|WSH005:this.ws!.ReceiveAsync(b, ct)|};
    }
}");

        [Fact]
        public Task A_close_after_a_method_that_detaches_this_field_is_reported() => CloseAsync(@"
sealed class Connection
{
    private readonly HandoffWebSocket _ws;

    public Connection(Stream stream) => _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));

    private ValueTask<Stream> UpgradeAsync(CancellationToken ct) => this._ws.DetachAsync(ct);

    public async Task RunAsync(CancellationToken ct)
    {
        var raw = await UpgradeAsync(ct);
        await {|WSH002:_ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
}");

        [Fact]
        public Task A_raw_use_of_the_field_transport_after_a_method_that_detaches_this_field_is_not_reported() => RawAsync(@"
sealed class Connection
{
    private readonly Stream _stream;
    private readonly HandoffWebSocket _ws;

    public Connection(Stream stream)
    {
        _stream = stream;
        _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));
    }

    private async Task<Stream> UpgradeAsync(CancellationToken ct) => await this._ws.DetachAsync(ct);

    public async Task PumpAsync(byte[] b, CancellationToken ct)
    {
        var raw = await UpgradeAsync(ct);
        await _stream.WriteAsync(b, ct);
    }
}");

        // ---- Silent ----

        [Fact]
        public Task A_method_that_detaches_this_field_only_in_a_branch_or_another_field_is_not_a_detach_of_it() => UseAsync(@"
sealed class Connection
{
    private readonly HandoffWebSocket _ws;
    private readonly HandoffWebSocket _other;

    public Connection(Stream a, Stream b)
    {
        _ws = HandoffWebSocket.CreateFromStream(a, true, null, TimeSpan.FromSeconds(10));
        _other = HandoffWebSocket.CreateFromStream(b, true, null, TimeSpan.FromSeconds(10));
    }

    private async Task<Stream?> MaybeAsync(bool upgrade, CancellationToken ct)
    {
        if (upgrade)
            return await this._ws.DetachAsync(ct);
        return null;
    }

    private ValueTask<Stream> OtherAsync(CancellationToken ct) => this._other.DetachAsync(ct);

    public async Task RunAsync(byte[] b, bool upgrade, CancellationToken ct)
    {
        await MaybeAsync(upgrade, ct);
        await OtherAsync(ct);
        await this._ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }
}");

        [Fact]
        public Task A_this_qualified_detach_is_not_a_detach_of_a_parameter_of_the_same_name() => UseAsync(@"
sealed class Connection
{
    private readonly HandoffWebSocket ws;

    public Connection(Stream stream) => ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));

    private ValueTask<Stream> SwitchAsync(HandoffWebSocket ws, CancellationToken ct) => this.ws.DetachAsync(ct);

    public async Task RunAsync(HandoffWebSocket other, byte[] b, CancellationToken ct)
    {
        var raw = await SwitchAsync(other, ct);
        await other.SendAsync(b, WebSocketMessageType.Binary, true, ct);
        await {|WSH005:this.ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }
}");
    }
}
