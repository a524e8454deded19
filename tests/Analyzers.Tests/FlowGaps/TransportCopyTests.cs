using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// WSH001 through a local that only ever holds the transport (or its socket): <c>var s2 = stream;</c> before or after
    /// the creation. A local that may hold another stream at the use is not followed.
    /// </summary>
    public class TransportCopyTests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task A_copy_made_after_the_creation_is_a_root() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(b, ct);
        var s2 = stream;
        await {|WSH001:s2.WriteAsync(b, ct)|};
    }
}");

        [Fact]
        public Task A_copy_made_before_the_creation_and_used_after_it_is_a_root() => VerifyAsync(@"
class C
{
    async Task M(NetworkStream stream, byte[] b, CancellationToken ct)
    {
        Stream raw = stream;
        await raw.ReadAsync(b, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await {|WSH001:raw.ReadAsync(b, ct)|};
    }
}");

        [Fact]
        public Task A_copy_of_a_copy_and_a_copy_in_a_lambda_are_roots() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var s2 = stream;
        var s3 = (Stream)s2;
        {|WSH001:s3.Flush()|};
        Func<Task> later = async () =>
        {
            var s4 = stream;
            await {|WSH001:s4.FlushAsync(ct)|};
        };
        await later();
    }
}");

        [Fact]
        public Task The_socket_of_a_NetworkStream_transport_read_into_a_local_is_a_root() => VerifyAsync(@"
class C
{
    void M(NetworkStream stream, byte[] b)
    {
        var socket = stream.Socket;
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        {|WSH001:socket.Send(b)|};
    }
}");

        [Fact]
        public Task A_copy_of_a_NetworkStream_transport_brings_its_socket() => VerifyAsync(@"
class C
{
    void M(NetworkStream stream, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var copy = stream;
        {|WSH001:copy.Socket.Send(b)|};
    }
}");

        [Fact]
        public Task A_type_pattern_on_the_transport_declares_a_root() => VerifyAsync(@"
class C
{
    void M(Stream stream, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (stream is NetworkStream network)
            {|WSH001:network.Socket.Send(b)|};
    }
}");

        // ---- Silent ----

        [Fact]
        public Task A_type_pattern_on_another_stream_or_one_only_reading_properties_is_not_reported() => VerifyAsync(@"
class C
{
    void M(Stream stream, Stream other, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (other is NetworkStream network)
            network.Socket.Send(b);
        if (stream is NetworkStream mine)
            mine.Socket.NoDelay = true;
    }
}");

        [Fact]
        public Task A_copy_used_only_before_the_creation_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var handshake = stream;
        await handshake.ReadAsync(b, ct);
        await handshake.WriteAsync(b, ct);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }
}");

        [Fact]
        public Task A_local_also_assigned_another_stream_is_not_followed() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream other, byte[] b, bool useOther, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var target = stream;
        if (useOther) target = other;
        Stream log = other;
        await log.WriteAsync(b, ct);
        log = stream;
    }
}");

        [Fact]
        public Task A_local_written_by_an_out_argument_is_not_followed() => VerifyAsync(@"
class C
{
    static bool TryPick(Stream a, out Stream picked) { picked = a; return true; }

    async Task M(Stream stream, Stream other, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Stream s = stream;
        TryPick(other, out s);
        await s.WriteAsync(b, ct);
    }
}");

        [Fact]
        public Task A_copy_used_after_a_detach_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(b, ct);
        var raw = await ws.DetachAsync(ct);
        var original = stream;
        await original.WriteAsync(b, ct);
    }
}");

        [Fact]
        public Task A_copy_of_the_transport_variable_made_before_it_was_given_another_stream_is_not_a_root() => VerifyAsync(@"
class C
{
    static Stream OpenTls(Stream s) => s;

    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var plain = stream;
        await plain.WriteAsync(b, ct);
        stream = OpenTls(plain);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(b, ct);
        await plain.FlushAsync(ct);
    }
}");

        [Fact]
        public Task A_copy_of_a_transport_variable_that_is_only_given_wrappers_of_itself_stays_a_root() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var plain = stream;
        stream = new BufferedStream(plain);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(b, ct);
        await {|WSH001:plain.FlushAsync(ct)|};
    }
}");

        [Fact]
        public Task A_copy_of_another_stream_is_not_a_root() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream upstream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var target = upstream;
        var r = await ws.ReceiveAsync(b, ct);
        await target.WriteAsync(b.AsMemory(0, r.Count), ct);
    }
}");
    }
}
