package notify

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
)

// The HTML of the mails is laid out for the programs offices read mail
// in (Outlook, Foxmail, the webmail of a government mailbox): tables, not
// boxes; every style inline, since many drop a <style> element; no script,
// SVG, images or web fonts; nothing wider than 600 px, Outlook's reading
// pane, and everything narrower where the window is.

//go:embed templates/*.html
var templateFiles embed.FS

// fonts are the Chinese fonts of Windows, macOS and Linux, in that order.
const fonts = `font-family:'Microsoft YaHei','PingFang SC','Hiragino Sans GB','Noto Sans CJK SC',SimSun,sans-serif`

// Colours: ink, muted text, lines, and the three tones of urgency.
const (
	red   = "#b42318"
	amber = "#b54708"
	blue  = "#175cd3"
	navy  = "#1f3a5f"
	green = "#067647"
	muted = "#667085"
	line  = "#e4e7ec"
)

// styles are the inline styles of the mails, by name.
var styles = map[string]string{
	"body":         "margin:0;padding:0;background:#f2f4f7",
	"page":         "background:#f2f4f7",
	"pagecell":     "padding:16px 8px",
	"card":         "max-width:600px;background:#ffffff;border:1px solid #d0d5dd;border-collapse:collapse;" + fonts + ";font-size:14px;line-height:1.6;color:#1d2939;text-align:left",
	"banner":       "background:" + navy + ";color:#ffffff;padding:14px 20px;font-size:18px;font-weight:bold",
	"banner-alert": "background:#9b1c1c;color:#ffffff;padding:14px 20px;font-size:18px;font-weight:bold",
	"banner-sub":   "font-size:13px;font-weight:normal",
	"lead":         "padding:16px 20px 4px",
	"heading-cell": "padding:16px 20px 4px",
	"count":        "font-weight:normal;color:" + muted + ";padding-left:8px",
	"entry-cell":   "padding:6px 20px",
	"entry":        "border:1px solid " + line + ";border-collapse:collapse",
	"matter":       "padding:8px 12px 0;font-weight:bold",
	"id":           "font-weight:normal;color:" + muted + ";white-space:nowrap",
	"summary":      "padding:0 12px 6px",
	"label":        "padding:2px 0 2px 12px;width:64px;color:" + muted + ";white-space:nowrap;vertical-align:top",
	"value":        "padding:2px 12px 2px 8px;vertical-align:top",
	"nowrap":       "white-space:nowrap",
	"muted":        "color:" + muted,
	"late":         "color:" + red + ";font-weight:bold;white-space:nowrap",
	"left":         "color:" + amber + ";font-weight:bold;white-space:nowrap",
	"since":        "padding:4px 12px 0;color:" + navy,
	"action":       "padding:6px 12px 10px",
	"button":       "display:inline-block;margin-top:6px;padding:3px 14px;background:" + navy + ";color:#ffffff;text-decoration:none;border-radius:3px",
	"command":      "font-family:Consolas,'Courier New',monospace;font-size:12px;color:" + muted,
	"note":         "padding:8px 20px;color:" + muted,
	"notice-cell":  "padding:8px 20px",
	"notice":       "padding:8px 12px;background:#fffaeb;border:1px solid #fedf89",
	"figures-cell": "padding:16px 14px 4px",
	"figures":      "border-collapse:separate;border-spacing:6px 0",
	"figure":       "padding:8px 10px;background:#f8f9fc;border:1px solid " + line + ";vertical-align:top",
	"figure-label": "font-size:12px;color:" + muted + ";white-space:nowrap",
	"figure-note":  "font-size:12px;color:" + muted + ";white-space:nowrap",
	"table":        "border-collapse:collapse;border:1px solid " + line,
	"th":           "padding:6px 8px;background:#f2f4f7;border-bottom:1px solid #d0d5dd;text-align:left;font-size:13px;font-weight:bold;white-space:nowrap",
	"th-num":       "padding:6px 8px;background:#f2f4f7;border-bottom:1px solid #d0d5dd;text-align:right;font-size:13px;font-weight:bold;white-space:nowrap",
	"td":           "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top",
	"td-nowrap":    "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top;white-space:nowrap",
	"td-late":      "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top;white-space:nowrap;color:" + red + ";font-weight:bold",
	"td-num":       "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top;white-space:nowrap;text-align:right",
	"td-num-late":  "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top;white-space:nowrap;text-align:right;color:" + red + ";font-weight:bold",
	"td-id":        "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top;white-space:nowrap;text-align:right;color:" + muted + ";font-size:12px",
	"td-bar":       "padding:6px 8px;border-bottom:1px solid " + line + ";vertical-align:top;width:40%",
	"bar-rest":     "background:#eaecf0;height:10px;font-size:1px;line-height:1px",
	"bar-text":     "font-size:12px;color:" + muted + ";white-space:nowrap",
	"link":         "color:" + blue,
	"small":        "font-size:12px;color:" + muted + ";white-space:nowrap",
	"empty":        "padding:12px 20px 0",
	"audit":        "padding:16px 20px 0;font-size:12px;color:" + muted,
	"hash":         "font-family:Consolas,'Courier New',monospace;word-break:break-all",
	"footer":       "padding:14px 20px;border-top:1px solid " + line + ";color:" + muted + ";font-size:12px",
}

var tones = map[string]string{"red": red, "amber": amber, "blue": blue, "navy": navy, "green": green, "muted": muted}

// mailFuncs are the templates' functions: css names a style; tone,
// figure and barfill style a heading, a headline figure and a bar in a
// tone; heading makes a heading.
var mailFuncs = template.FuncMap{
	"css": func(name string) (template.CSS, error) {
		s, ok := styles[name]
		if !ok {
			return "", fmt.Errorf("no style %q", name)
		}
		return template.CSS(s), nil
	},
	"tone": toned(func(c string) string {
		return "border-left:4px solid " + c + ";padding-left:8px;font-size:16px;font-weight:bold;color:" + c
	}),
	"figure":  toned(func(c string) string { return "font-size:22px;font-weight:bold;white-space:nowrap;color:" + c }),
	"barfill": toned(func(c string) string { return "background:" + c + ";height:10px;font-size:1px;line-height:1px" }),
	"heading": func(name, tone string, count int) headingView { return headingView{name, tone, count} },
}

// toned is a template function that styles in a tone, named: style
// gives the style of its colour.
func toned(style func(colour string) string) func(name string) (template.CSS, error) {
	return func(name string) (template.CSS, error) {
		c, ok := tones[name]
		if !ok {
			return "", fmt.Errorf("no tone %q", name)
		}
		return template.CSS(style(c)), nil
	}
}

// headingView is a heading of a mail's section; a Count under 0 is not
// shown.
type headingView struct {
	Name, Tone string
	Count      int
}

var mailTemplates = template.Must(template.New("mail").Funcs(mailFuncs).ParseFS(templateFiles, "templates/*.html"))

// execMail renders the named mail template.
func execMail(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := mailTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
