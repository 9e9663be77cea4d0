package tracker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
)

// OSProblem says in Chinese what went wrong with a file, a folder or the
// network, with the system's own words after it in parentheses (for the
// IT staff and for searching): "磁盘空间不足（write x: no space left on
// device）". An error it does not know keeps its words alone, in
// parentheses after "系统错误".
func OSProblem(err error) string {
	if err == nil {
		return ""
	}
	what := osWhat(err)
	if what == "" {
		what = "系统错误"
	}
	return what + "（" + err.Error() + "）"
}

func osWhat(err error) string {
	var dns *net.DNSError
	var certInvalid x509.CertificateInvalidError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var recordHeader tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "文件或文件夹不存在"
	case errors.Is(err, fs.ErrPermission):
		return "没有权限（请让运行 gongkai 的用户可以读写）"
	case errors.Is(err, fs.ErrExist):
		return "文件已存在"
	case errors.Is(err, syscall.EISDIR):
		return "这是一个文件夹，不是文件"
	case errors.Is(err, syscall.ENOTDIR):
		return "路径中有一段是文件，不是文件夹"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "磁盘空间不足"
	case errors.Is(err, syscall.EROFS):
		return "文件系统是只读的"
	case errors.Is(err, syscall.EIO):
		return "磁盘读写出错"
	case errors.As(err, &dns) && dns.IsNotFound:
		return "域名解析不到（请检查主机名，或本机的 DNS 设置）"
	case errors.As(err, &dns):
		return "域名解析失败（请检查本机的 DNS 设置和网络）"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "对方拒绝连接（服务没有运行，或端口不对）"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "连接被对方断开"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "网络不通（到对方的路由不存在）"
	case errors.As(err, &hostname):
		return "证书上的名称与主机名不符"
	case errors.As(err, &unknownCA):
		return "证书不是受信任的机构签发的（单位自建 CA 的证书须在配置中指明）"
	case errors.As(err, &certInvalid) && certInvalid.Reason == x509.Expired:
		return "证书已过期或尚未生效（也请检查本机时间）"
	case errors.As(err, &certInvalid), errors.As(err, &verify):
		return "证书无法验证"
	case errors.As(err, &recordHeader):
		return "对方说的不是 TLS（端口或加密方式不对：465 端口用 tls，587 和 25 用 starttls）"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "连接超时（对方没有应答：请检查主机名、端口和防火墙）"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "数据在中途断了（文件被截短，或连接中断）"
	case errors.Is(err, io.EOF) && errors.As(err, new(*net.OpError)):
		return "连接被对方关闭"
	}
	return ""
}
