using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// A transport field wrapped in a constructor (<c>_ssl = new SslStream(_net)</c>) and the WebSocket created from it in
    /// another member: what the field wraps is a root in every member of the type.
    /// </summary>
    public class FieldWrappingTests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task The_stream_a_constructor_wraps_in_the_transport_field_is_a_root_in_the_other_members() => VerifyAsync(@"
sealed class TlsSession
{
    private readonly NetworkStream _net;
    private readonly SslStream _ssl;
    private WebSocket? _ws;

    public TlsSession(TcpClient client)
    {
        _net = client.GetStream();
        _ssl = new SslStream(_net, leaveInnerStreamOpen: true);
    }

    public async Task OpenAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        await _ssl.AuthenticateAsServerAsync(certificate);
        _ws = WebSocket.CreateFromStream(_ssl, true, null, TimeSpan.Zero);
    }

    public Task SendPlainAsync(byte[] b, CancellationToken ct) => {|WSH001:_net.WriteAsync(b, 0, b.Length, ct)|};

    public void Kick(byte[] b) => {|WSH001:_net.Socket.Send(b)|};
}");

        [Fact]
        public Task The_client_a_constructor_stores_and_wraps_is_followed_to_its_stream_in_the_other_members() => VerifyAsync(@"
sealed class TlsSession
{
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private WebSocket? _ws;

    public TlsSession(TcpClient tcp)
    {
        _tcp = tcp;
        _ssl = new SslStream(tcp.GetStream());
    }

    public void Open() => _ws = WebSocket.CreateFromStream(_ssl, true, null, TimeSpan.Zero);

    public void Raw(byte[] b) => {|WSH001:_tcp.GetStream().Write(b, 0, b.Length)|};
}");

        // ---- Silent ----

        [Fact]
        public Task Another_stream_a_constructor_stores_is_not_a_root() => VerifyAsync(@"
sealed class TlsSession
{
    private readonly NetworkStream _net;
    private readonly Stream _log;
    private readonly SslStream _ssl;
    private WebSocket? _ws;

    public TlsSession(TcpClient client, Stream log)
    {
        _net = client.GetStream();
        _log = log;
        _ssl = new SslStream(_net);
    }

    public void Open() => _ws = WebSocket.CreateFromStream(_ssl, true, null, TimeSpan.Zero);

    public Task TraceAsync(byte[] b, CancellationToken ct) => _log.WriteAsync(b, 0, b.Length, ct);
}");

        [Fact]
        public Task The_handshake_on_the_inner_stream_before_the_creating_call_is_not_reported() => VerifyAsync(@"
sealed class Session
{
    private readonly NetworkStream _net;
    private readonly BufferedStream _buffered;
    private WebSocket? _ws;

    public Session(NetworkStream net)
    {
        _net = net;
        _buffered = new BufferedStream(net);
    }

    public async Task StartAsync(byte[] b, CancellationToken ct)
    {
        await _net.WriteAsync(b, ct);
        Open();
    }

    private void Open() => _ws = WebSocket.CreateFromStream(_buffered, true, null, TimeSpan.Zero);
}");
    }
}
